# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_biopass_global_optspecs
    string join \n env= endpoint= profile= config= api-key-file= o/output= timeout= connect-timeout= max-image-bytes= keep-metadata max-dimension= no-face-check face-check= ca-cert= v/verbose q/quiet dry-run h/help V/version
end

function __fish_biopass_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_biopass_global_optspecs) -- $cmd 2>/dev/null
    # Fails while a global option waits for its value: no subcommand yet.
    or return 0
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_biopass_using_subcommand
    set -l cmd (__fish_biopass_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c biopass -n "__fish_biopass_needs_command" -l env -d 'API environment: production, hml (homologation) or the built-in sandbox' -r -f -a "production\t''
hml\t''
sandbox\t''"
complete -c biopass -n "__fish_biopass_needs_command" -l endpoint -d 'Base URL of the API, overriding the environment\'s (https, or http to loopback)' -r
complete -c biopass -n "__fish_biopass_needs_command" -l profile -d 'Profile of the config file to use' -r
complete -c biopass -n "__fish_biopass_needs_command" -l config -d 'Config file [default: <config dir>/biopass/config.toml]' -r -F
complete -c biopass -n "__fish_biopass_needs_command" -l api-key-file -d 'File holding the API key (mode 0600), or - to read it from standard input' -r
complete -c biopass -n "__fish_biopass_needs_command" -s o -l output -d 'Output format of results on stdout' -r -f -a "text\t''
json\t''"
complete -c biopass -n "__fish_biopass_needs_command" -l timeout -d 'Whole-request timeout, in seconds, 1ms to 1 day [default: 120]' -r
complete -c biopass -n "__fish_biopass_needs_command" -l connect-timeout -d 'Connect timeout, in seconds, 1ms to 1 day [default: 10]' -r
complete -c biopass -n "__fish_biopass_needs_command" -l max-image-bytes -d 'Largest image accepted, in bytes, at most 1 GiB [default: 10485760 (10 MiB)]' -r
complete -c biopass -n "__fish_biopass_needs_command" -l max-dimension -d 'Downscale faces whose long side is larger to exactly PX (64-65535; off by default; never fingerprints)' -r
complete -c biopass -n "__fish_biopass_needs_command" -l face-check -d 'The face gate on or off (true/false): the env BIOPASS_FACE_CHECK\'s flag; --no-face-check is the one to type' -r -f -a "true\t''
false\t''"
complete -c biopass -n "__fish_biopass_needs_command" -l ca-cert -d 'Extra trusted root certificate (PEM) for TLS' -r -F
complete -c biopass -n "__fish_biopass_needs_command" -l keep-metadata -d 'Send images exactly as they are: no metadata removal, no turning upright, no downscaling (profile key keep_metadata)'
complete -c biopass -n "__fish_biopass_needs_command" -l no-face-check -d 'Send faces the offline face gate refuses (no face, several faces, orientation unreadable); profile key face_check = false, env BIOPASS_FACE_CHECK=false'
complete -c biopass -n "__fish_biopass_needs_command" -s v -l verbose -d 'Log requests to stderr (method, URL, status, timing, sizes; never keys or images)'
complete -c biopass -n "__fish_biopass_needs_command" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c biopass -n "__fish_biopass_needs_command" -l dry-run -d 'Print the request that would be sent (key and images redacted) and send nothing'
complete -c biopass -n "__fish_biopass_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c biopass -n "__fish_biopass_needs_command" -s V -l version -d 'Print version'
complete -c biopass -n "__fish_biopass_needs_command" -f -a "enroll" -d 'Enroll a person (prints the BioPassID), or many with --from'
complete -c biopass -n "__fish_biopass_needs_command" -f -a "update" -d 'Replace a person\'s images (prints the BioPassID), or many with --from'
complete -c biopass -n "__fish_biopass_needs_command" -f -a "verify" -d 'Verify a person 1:1; prints "match" (exit 0) or "no match" (exit 1), or many with --from'
complete -c biopass -n "__fish_biopass_needs_command" -f -a "delete" -d 'Delete a person (prints the CustomID), or many with --from'
complete -c biopass -n "__fish_biopass_needs_command" -f -a "sandbox" -d 'Run the local BioPassID emulator, or inspect and reset the embedded one'
complete -c biopass -n "__fish_biopass_needs_command" -f -a "config" -d 'Inspect or create the configuration file'
complete -c biopass -n "__fish_biopass_needs_command" -f -a "report" -d 'List every row a batch journal knows, across all runs, with how it ended'
complete -c biopass -n "__fish_biopass_needs_command" -f -a "check" -d 'Check images before sending (format, size, orientation, metadata); sends nothing'
complete -c biopass -n "__fish_biopass_needs_command" -f -a "doctor" -d 'Check settings, key, DNS, connection, TLS and that the key is accepted; enrolls nobody'
complete -c biopass -n "__fish_biopass_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c biopass -n "__fish_biopass_needs_command" -f -a "man" -d 'Print the manual page (roff), for a man folder or `man -l -`'
complete -c biopass -n "__fish_biopass_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c biopass -n "__fish_biopass_using_subcommand enroll" -l id -d 'The person\'s CustomID' -r
complete -c biopass -n "__fish_biopass_using_subcommand enroll" -l face -d 'Face image (JPEG, PNG, TIFF, BMP, WebP), or - for stdin; repeat for Face-2, ...' -r
complete -c biopass -n "__fish_biopass_using_subcommand enroll" -l finger -d 'Fingerprint: POS is 1-10 or right-thumb ... left-little; repeatable' -r -a "(__fish_biopass_finger_positions)"
complete -c biopass -n "__fish_biopass_using_subcommand enroll" -l from -d 'Manifest of people: CSV with a header, JSON Lines, or a workbook; - reads standard input (with --format)' -r
complete -c biopass -n "__fish_biopass_using_subcommand enroll" -l format -d 'Manifest format [default: by extension: .csv, .tsv, .jsonl/.ndjson, .xlsx/.xlsm, .ods]' -r -f -a "csv\t''
tsv\t''
jsonl\t''
xlsx\t''
ods\t''"
complete -c biopass -n "__fish_biopass_using_subcommand enroll" -l delimiter -d 'CSV delimiter: a character, or tab [default: Excel\'s sep= line, else told from the header: , ; or tab]' -r
complete -c biopass -n "__fish_biopass_using_subcommand enroll" -l encoding -d 'CSV text encoding [default: told from the bytes: a BOM, else UTF-8, else windows-1252]' -r -f -a "utf-8\t''
utf-16\t''
windows-1252\t''"
complete -c biopass -n "__fish_biopass_using_subcommand enroll" -l sheet -d 'Workbook sheet to read [default: the first]' -r
complete -c biopass -n "__fish_biopass_using_subcommand enroll" -l jobs -d 'Concurrent requests [default: 4]' -r
complete -c biopass -n "__fish_biopass_using_subcommand enroll" -l rate -d 'Requests per second across all jobs, at least 0.001 [default: unlimited]' -r
complete -c biopass -n "__fish_biopass_using_subcommand enroll" -l journal -d 'Journal file [default: beside the manifest: MANIFEST.OP.journal]' -r -F
complete -c biopass -n "__fish_biopass_using_subcommand enroll" -l shard -d 'Take only the rows whose CustomID hashes to shard K of N (K from 0)' -r
complete -c biopass -n "__fish_biopass_using_subcommand enroll" -l summary-json -d 'Also write the final summary as JSON to FILE' -r -F
complete -c biopass -n "__fish_biopass_using_subcommand enroll" -l passes -d 'Passes in all: later passes re-send rows left pending by transient errors (1: off) [default: 3]' -r
complete -c biopass -n "__fish_biopass_using_subcommand enroll" -l progress-interval -d 'Status line interval when stderr is not a terminal (0 or off: none)' -r
complete -c biopass -n "__fish_biopass_using_subcommand enroll" -l env -d 'API environment: production, hml (homologation) or the built-in sandbox' -r -f -a "production\t''
hml\t''
sandbox\t''"
complete -c biopass -n "__fish_biopass_using_subcommand enroll" -l endpoint -d 'Base URL of the API, overriding the environment\'s (https, or http to loopback)' -r
complete -c biopass -n "__fish_biopass_using_subcommand enroll" -l profile -d 'Profile of the config file to use' -r
complete -c biopass -n "__fish_biopass_using_subcommand enroll" -l config -d 'Config file [default: <config dir>/biopass/config.toml]' -r -F
complete -c biopass -n "__fish_biopass_using_subcommand enroll" -l api-key-file -d 'File holding the API key (mode 0600), or - to read it from standard input' -r
complete -c biopass -n "__fish_biopass_using_subcommand enroll" -s o -l output -d 'Output format of results on stdout' -r -f -a "text\t''
json\t''"
complete -c biopass -n "__fish_biopass_using_subcommand enroll" -l timeout -d 'Whole-request timeout, in seconds, 1ms to 1 day [default: 120]' -r
complete -c biopass -n "__fish_biopass_using_subcommand enroll" -l connect-timeout -d 'Connect timeout, in seconds, 1ms to 1 day [default: 10]' -r
complete -c biopass -n "__fish_biopass_using_subcommand enroll" -l max-image-bytes -d 'Largest image accepted, in bytes, at most 1 GiB [default: 10485760 (10 MiB)]' -r
complete -c biopass -n "__fish_biopass_using_subcommand enroll" -l max-dimension -d 'Downscale faces whose long side is larger to exactly PX (64-65535; off by default; never fingerprints)' -r
complete -c biopass -n "__fish_biopass_using_subcommand enroll" -l face-check -d 'The face gate on or off (true/false): the env BIOPASS_FACE_CHECK\'s flag; --no-face-check is the one to type' -r -f -a "true\t''
false\t''"
complete -c biopass -n "__fish_biopass_using_subcommand enroll" -l ca-cert -d 'Extra trusted root certificate (PEM) for TLS' -r -F
complete -c biopass -n "__fish_biopass_using_subcommand enroll" -l retry-failed -d 'Also retry rows that failed permanently in an earlier run'
complete -c biopass -n "__fish_biopass_using_subcommand enroll" -l skip-invalid -d 'Record invalid rows as invalid and run the rest (default: list them, send nothing)'
complete -c biopass -n "__fish_biopass_using_subcommand enroll" -l skip-existing -d 'Count "CustomID already exists" as skipped rather than failed'
complete -c biopass -n "__fish_biopass_using_subcommand enroll" -l accept-changed -d 'Run rows whose content changed since the journal recorded them (default: refuse the run)'
complete -c biopass -n "__fish_biopass_using_subcommand enroll" -l keep-metadata -d 'Send images exactly as they are: no metadata removal, no turning upright, no downscaling (profile key keep_metadata)'
complete -c biopass -n "__fish_biopass_using_subcommand enroll" -l no-face-check -d 'Send faces the offline face gate refuses (no face, several faces, orientation unreadable); profile key face_check = false, env BIOPASS_FACE_CHECK=false'
complete -c biopass -n "__fish_biopass_using_subcommand enroll" -s v -l verbose -d 'Log requests to stderr (method, URL, status, timing, sizes; never keys or images)'
complete -c biopass -n "__fish_biopass_using_subcommand enroll" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c biopass -n "__fish_biopass_using_subcommand enroll" -l dry-run -d 'Print the request that would be sent (key and images redacted) and send nothing'
complete -c biopass -n "__fish_biopass_using_subcommand enroll" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c biopass -n "__fish_biopass_using_subcommand enroll" -s V -l version -d 'Print version'
complete -c biopass -n "__fish_biopass_using_subcommand update" -l id -d 'The person\'s CustomID' -r
complete -c biopass -n "__fish_biopass_using_subcommand update" -l face -d 'Face image (JPEG, PNG, TIFF, BMP, WebP), or - for stdin; repeat for Face-2, ...' -r
complete -c biopass -n "__fish_biopass_using_subcommand update" -l finger -d 'Fingerprint: POS is 1-10 or right-thumb ... left-little; repeatable' -r -a "(__fish_biopass_finger_positions)"
complete -c biopass -n "__fish_biopass_using_subcommand update" -l from -d 'Manifest of people: CSV with a header, JSON Lines, or a workbook; - reads standard input (with --format)' -r
complete -c biopass -n "__fish_biopass_using_subcommand update" -l format -d 'Manifest format [default: by extension: .csv, .tsv, .jsonl/.ndjson, .xlsx/.xlsm, .ods]' -r -f -a "csv\t''
tsv\t''
jsonl\t''
xlsx\t''
ods\t''"
complete -c biopass -n "__fish_biopass_using_subcommand update" -l delimiter -d 'CSV delimiter: a character, or tab [default: Excel\'s sep= line, else told from the header: , ; or tab]' -r
complete -c biopass -n "__fish_biopass_using_subcommand update" -l encoding -d 'CSV text encoding [default: told from the bytes: a BOM, else UTF-8, else windows-1252]' -r -f -a "utf-8\t''
utf-16\t''
windows-1252\t''"
complete -c biopass -n "__fish_biopass_using_subcommand update" -l sheet -d 'Workbook sheet to read [default: the first]' -r
complete -c biopass -n "__fish_biopass_using_subcommand update" -l jobs -d 'Concurrent requests [default: 4]' -r
complete -c biopass -n "__fish_biopass_using_subcommand update" -l rate -d 'Requests per second across all jobs, at least 0.001 [default: unlimited]' -r
complete -c biopass -n "__fish_biopass_using_subcommand update" -l journal -d 'Journal file [default: beside the manifest: MANIFEST.OP.journal]' -r -F
complete -c biopass -n "__fish_biopass_using_subcommand update" -l shard -d 'Take only the rows whose CustomID hashes to shard K of N (K from 0)' -r
complete -c biopass -n "__fish_biopass_using_subcommand update" -l summary-json -d 'Also write the final summary as JSON to FILE' -r -F
complete -c biopass -n "__fish_biopass_using_subcommand update" -l passes -d 'Passes in all: later passes re-send rows left pending by transient errors (1: off) [default: 3]' -r
complete -c biopass -n "__fish_biopass_using_subcommand update" -l progress-interval -d 'Status line interval when stderr is not a terminal (0 or off: none)' -r
complete -c biopass -n "__fish_biopass_using_subcommand update" -l env -d 'API environment: production, hml (homologation) or the built-in sandbox' -r -f -a "production\t''
hml\t''
sandbox\t''"
complete -c biopass -n "__fish_biopass_using_subcommand update" -l endpoint -d 'Base URL of the API, overriding the environment\'s (https, or http to loopback)' -r
complete -c biopass -n "__fish_biopass_using_subcommand update" -l profile -d 'Profile of the config file to use' -r
complete -c biopass -n "__fish_biopass_using_subcommand update" -l config -d 'Config file [default: <config dir>/biopass/config.toml]' -r -F
complete -c biopass -n "__fish_biopass_using_subcommand update" -l api-key-file -d 'File holding the API key (mode 0600), or - to read it from standard input' -r
complete -c biopass -n "__fish_biopass_using_subcommand update" -s o -l output -d 'Output format of results on stdout' -r -f -a "text\t''
json\t''"
complete -c biopass -n "__fish_biopass_using_subcommand update" -l timeout -d 'Whole-request timeout, in seconds, 1ms to 1 day [default: 120]' -r
complete -c biopass -n "__fish_biopass_using_subcommand update" -l connect-timeout -d 'Connect timeout, in seconds, 1ms to 1 day [default: 10]' -r
complete -c biopass -n "__fish_biopass_using_subcommand update" -l max-image-bytes -d 'Largest image accepted, in bytes, at most 1 GiB [default: 10485760 (10 MiB)]' -r
complete -c biopass -n "__fish_biopass_using_subcommand update" -l max-dimension -d 'Downscale faces whose long side is larger to exactly PX (64-65535; off by default; never fingerprints)' -r
complete -c biopass -n "__fish_biopass_using_subcommand update" -l face-check -d 'The face gate on or off (true/false): the env BIOPASS_FACE_CHECK\'s flag; --no-face-check is the one to type' -r -f -a "true\t''
false\t''"
complete -c biopass -n "__fish_biopass_using_subcommand update" -l ca-cert -d 'Extra trusted root certificate (PEM) for TLS' -r -F
complete -c biopass -n "__fish_biopass_using_subcommand update" -l retry-failed -d 'Also retry rows that failed permanently in an earlier run'
complete -c biopass -n "__fish_biopass_using_subcommand update" -l skip-invalid -d 'Record invalid rows as invalid and run the rest (default: list them, send nothing)'
complete -c biopass -n "__fish_biopass_using_subcommand update" -l accept-changed -d 'Run rows whose content changed since the journal recorded them (default: refuse the run)'
complete -c biopass -n "__fish_biopass_using_subcommand update" -l skip-existing -d 'Count "CustomID already exists" as skipped rather than failed'
complete -c biopass -n "__fish_biopass_using_subcommand update" -l keep-metadata -d 'Send images exactly as they are: no metadata removal, no turning upright, no downscaling (profile key keep_metadata)'
complete -c biopass -n "__fish_biopass_using_subcommand update" -l no-face-check -d 'Send faces the offline face gate refuses (no face, several faces, orientation unreadable); profile key face_check = false, env BIOPASS_FACE_CHECK=false'
complete -c biopass -n "__fish_biopass_using_subcommand update" -s v -l verbose -d 'Log requests to stderr (method, URL, status, timing, sizes; never keys or images)'
complete -c biopass -n "__fish_biopass_using_subcommand update" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c biopass -n "__fish_biopass_using_subcommand update" -l dry-run -d 'Print the request that would be sent (key and images redacted) and send nothing'
complete -c biopass -n "__fish_biopass_using_subcommand update" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c biopass -n "__fish_biopass_using_subcommand update" -s V -l version -d 'Print version'
complete -c biopass -n "__fish_biopass_using_subcommand verify" -l id -d 'The person\'s CustomID' -r
complete -c biopass -n "__fish_biopass_using_subcommand verify" -l face -d 'Face image (JPEG, PNG, TIFF, BMP, WebP), or - for stdin; repeat for Face-2, ...' -r
complete -c biopass -n "__fish_biopass_using_subcommand verify" -l finger -d 'Fingerprint: POS is 1-10 or right-thumb ... left-little; repeatable' -r -a "(__fish_biopass_finger_positions)"
complete -c biopass -n "__fish_biopass_using_subcommand verify" -l from -d 'Manifest of people: CSV with a header, JSON Lines, or a workbook; - reads standard input (with --format)' -r
complete -c biopass -n "__fish_biopass_using_subcommand verify" -l format -d 'Manifest format [default: by extension: .csv, .tsv, .jsonl/.ndjson, .xlsx/.xlsm, .ods]' -r -f -a "csv\t''
tsv\t''
jsonl\t''
xlsx\t''
ods\t''"
complete -c biopass -n "__fish_biopass_using_subcommand verify" -l delimiter -d 'CSV delimiter: a character, or tab [default: Excel\'s sep= line, else told from the header: , ; or tab]' -r
complete -c biopass -n "__fish_biopass_using_subcommand verify" -l encoding -d 'CSV text encoding [default: told from the bytes: a BOM, else UTF-8, else windows-1252]' -r -f -a "utf-8\t''
utf-16\t''
windows-1252\t''"
complete -c biopass -n "__fish_biopass_using_subcommand verify" -l sheet -d 'Workbook sheet to read [default: the first]' -r
complete -c biopass -n "__fish_biopass_using_subcommand verify" -l jobs -d 'Concurrent requests [default: 4]' -r
complete -c biopass -n "__fish_biopass_using_subcommand verify" -l rate -d 'Requests per second across all jobs, at least 0.001 [default: unlimited]' -r
complete -c biopass -n "__fish_biopass_using_subcommand verify" -l journal -d 'Journal file [default: beside the manifest: MANIFEST.OP.journal]' -r -F
complete -c biopass -n "__fish_biopass_using_subcommand verify" -l shard -d 'Take only the rows whose CustomID hashes to shard K of N (K from 0)' -r
complete -c biopass -n "__fish_biopass_using_subcommand verify" -l summary-json -d 'Also write the final summary as JSON to FILE' -r -F
complete -c biopass -n "__fish_biopass_using_subcommand verify" -l passes -d 'Passes in all: later passes re-send rows left pending by transient errors (1: off) [default: 3]' -r
complete -c biopass -n "__fish_biopass_using_subcommand verify" -l progress-interval -d 'Status line interval when stderr is not a terminal (0 or off: none)' -r
complete -c biopass -n "__fish_biopass_using_subcommand verify" -l env -d 'API environment: production, hml (homologation) or the built-in sandbox' -r -f -a "production\t''
hml\t''
sandbox\t''"
complete -c biopass -n "__fish_biopass_using_subcommand verify" -l endpoint -d 'Base URL of the API, overriding the environment\'s (https, or http to loopback)' -r
complete -c biopass -n "__fish_biopass_using_subcommand verify" -l profile -d 'Profile of the config file to use' -r
complete -c biopass -n "__fish_biopass_using_subcommand verify" -l config -d 'Config file [default: <config dir>/biopass/config.toml]' -r -F
complete -c biopass -n "__fish_biopass_using_subcommand verify" -l api-key-file -d 'File holding the API key (mode 0600), or - to read it from standard input' -r
complete -c biopass -n "__fish_biopass_using_subcommand verify" -s o -l output -d 'Output format of results on stdout' -r -f -a "text\t''
json\t''"
complete -c biopass -n "__fish_biopass_using_subcommand verify" -l timeout -d 'Whole-request timeout, in seconds, 1ms to 1 day [default: 120]' -r
complete -c biopass -n "__fish_biopass_using_subcommand verify" -l connect-timeout -d 'Connect timeout, in seconds, 1ms to 1 day [default: 10]' -r
complete -c biopass -n "__fish_biopass_using_subcommand verify" -l max-image-bytes -d 'Largest image accepted, in bytes, at most 1 GiB [default: 10485760 (10 MiB)]' -r
complete -c biopass -n "__fish_biopass_using_subcommand verify" -l max-dimension -d 'Downscale faces whose long side is larger to exactly PX (64-65535; off by default; never fingerprints)' -r
complete -c biopass -n "__fish_biopass_using_subcommand verify" -l face-check -d 'The face gate on or off (true/false): the env BIOPASS_FACE_CHECK\'s flag; --no-face-check is the one to type' -r -f -a "true\t''
false\t''"
complete -c biopass -n "__fish_biopass_using_subcommand verify" -l ca-cert -d 'Extra trusted root certificate (PEM) for TLS' -r -F
complete -c biopass -n "__fish_biopass_using_subcommand verify" -l retry-failed -d 'Also retry rows that failed permanently in an earlier run'
complete -c biopass -n "__fish_biopass_using_subcommand verify" -l skip-invalid -d 'Record invalid rows as invalid and run the rest (default: list them, send nothing)'
complete -c biopass -n "__fish_biopass_using_subcommand verify" -l accept-changed -d 'Run rows whose content changed since the journal recorded them (default: refuse the run)'
complete -c biopass -n "__fish_biopass_using_subcommand verify" -l skip-existing -d 'Count "CustomID already exists" as skipped rather than failed'
complete -c biopass -n "__fish_biopass_using_subcommand verify" -l keep-metadata -d 'Send images exactly as they are: no metadata removal, no turning upright, no downscaling (profile key keep_metadata)'
complete -c biopass -n "__fish_biopass_using_subcommand verify" -l no-face-check -d 'Send faces the offline face gate refuses (no face, several faces, orientation unreadable); profile key face_check = false, env BIOPASS_FACE_CHECK=false'
complete -c biopass -n "__fish_biopass_using_subcommand verify" -s v -l verbose -d 'Log requests to stderr (method, URL, status, timing, sizes; never keys or images)'
complete -c biopass -n "__fish_biopass_using_subcommand verify" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c biopass -n "__fish_biopass_using_subcommand verify" -l dry-run -d 'Print the request that would be sent (key and images redacted) and send nothing'
complete -c biopass -n "__fish_biopass_using_subcommand verify" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c biopass -n "__fish_biopass_using_subcommand verify" -s V -l version -d 'Print version'
complete -c biopass -n "__fish_biopass_using_subcommand delete" -l id -d 'The person\'s CustomID' -r
complete -c biopass -n "__fish_biopass_using_subcommand delete" -l from -d 'Manifest of people: CSV with a header, JSON Lines, or a workbook; - reads standard input (with --format)' -r
complete -c biopass -n "__fish_biopass_using_subcommand delete" -l format -d 'Manifest format [default: by extension: .csv, .tsv, .jsonl/.ndjson, .xlsx/.xlsm, .ods]' -r -f -a "csv\t''
tsv\t''
jsonl\t''
xlsx\t''
ods\t''"
complete -c biopass -n "__fish_biopass_using_subcommand delete" -l delimiter -d 'CSV delimiter: a character, or tab [default: Excel\'s sep= line, else told from the header: , ; or tab]' -r
complete -c biopass -n "__fish_biopass_using_subcommand delete" -l encoding -d 'CSV text encoding [default: told from the bytes: a BOM, else UTF-8, else windows-1252]' -r -f -a "utf-8\t''
utf-16\t''
windows-1252\t''"
complete -c biopass -n "__fish_biopass_using_subcommand delete" -l sheet -d 'Workbook sheet to read [default: the first]' -r
complete -c biopass -n "__fish_biopass_using_subcommand delete" -l jobs -d 'Concurrent requests [default: 4]' -r
complete -c biopass -n "__fish_biopass_using_subcommand delete" -l rate -d 'Requests per second across all jobs, at least 0.001 [default: unlimited]' -r
complete -c biopass -n "__fish_biopass_using_subcommand delete" -l journal -d 'Journal file [default: beside the manifest: MANIFEST.OP.journal]' -r -F
complete -c biopass -n "__fish_biopass_using_subcommand delete" -l shard -d 'Take only the rows whose CustomID hashes to shard K of N (K from 0)' -r
complete -c biopass -n "__fish_biopass_using_subcommand delete" -l summary-json -d 'Also write the final summary as JSON to FILE' -r -F
complete -c biopass -n "__fish_biopass_using_subcommand delete" -l passes -d 'Passes in all: later passes re-send rows left pending by transient errors (1: off) [default: 3]' -r
complete -c biopass -n "__fish_biopass_using_subcommand delete" -l progress-interval -d 'Status line interval when stderr is not a terminal (0 or off: none)' -r
complete -c biopass -n "__fish_biopass_using_subcommand delete" -l env -d 'API environment: production, hml (homologation) or the built-in sandbox' -r -f -a "production\t''
hml\t''
sandbox\t''"
complete -c biopass -n "__fish_biopass_using_subcommand delete" -l endpoint -d 'Base URL of the API, overriding the environment\'s (https, or http to loopback)' -r
complete -c biopass -n "__fish_biopass_using_subcommand delete" -l profile -d 'Profile of the config file to use' -r
complete -c biopass -n "__fish_biopass_using_subcommand delete" -l config -d 'Config file [default: <config dir>/biopass/config.toml]' -r -F
complete -c biopass -n "__fish_biopass_using_subcommand delete" -l api-key-file -d 'File holding the API key (mode 0600), or - to read it from standard input' -r
complete -c biopass -n "__fish_biopass_using_subcommand delete" -s o -l output -d 'Output format of results on stdout' -r -f -a "text\t''
json\t''"
complete -c biopass -n "__fish_biopass_using_subcommand delete" -l timeout -d 'Whole-request timeout, in seconds, 1ms to 1 day [default: 120]' -r
complete -c biopass -n "__fish_biopass_using_subcommand delete" -l connect-timeout -d 'Connect timeout, in seconds, 1ms to 1 day [default: 10]' -r
complete -c biopass -n "__fish_biopass_using_subcommand delete" -l max-image-bytes -d 'Largest image accepted, in bytes, at most 1 GiB [default: 10485760 (10 MiB)]' -r
complete -c biopass -n "__fish_biopass_using_subcommand delete" -l max-dimension -d 'Downscale faces whose long side is larger to exactly PX (64-65535; off by default; never fingerprints)' -r
complete -c biopass -n "__fish_biopass_using_subcommand delete" -l face-check -d 'The face gate on or off (true/false): the env BIOPASS_FACE_CHECK\'s flag; --no-face-check is the one to type' -r -f -a "true\t''
false\t''"
complete -c biopass -n "__fish_biopass_using_subcommand delete" -l ca-cert -d 'Extra trusted root certificate (PEM) for TLS' -r -F
complete -c biopass -n "__fish_biopass_using_subcommand delete" -l retry-failed -d 'Also retry rows that failed permanently in an earlier run'
complete -c biopass -n "__fish_biopass_using_subcommand delete" -l skip-invalid -d 'Record invalid rows as invalid and run the rest (default: list them, send nothing)'
complete -c biopass -n "__fish_biopass_using_subcommand delete" -l accept-changed -d 'Run rows whose content changed since the journal recorded them (default: refuse the run)'
complete -c biopass -n "__fish_biopass_using_subcommand delete" -l skip-existing -d 'Count "CustomID already exists" as skipped rather than failed'
complete -c biopass -n "__fish_biopass_using_subcommand delete" -l keep-metadata -d 'Send images exactly as they are: no metadata removal, no turning upright, no downscaling (profile key keep_metadata)'
complete -c biopass -n "__fish_biopass_using_subcommand delete" -l no-face-check -d 'Send faces the offline face gate refuses (no face, several faces, orientation unreadable); profile key face_check = false, env BIOPASS_FACE_CHECK=false'
complete -c biopass -n "__fish_biopass_using_subcommand delete" -s v -l verbose -d 'Log requests to stderr (method, URL, status, timing, sizes; never keys or images)'
complete -c biopass -n "__fish_biopass_using_subcommand delete" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c biopass -n "__fish_biopass_using_subcommand delete" -l dry-run -d 'Print the request that would be sent (key and images redacted) and send nothing'
complete -c biopass -n "__fish_biopass_using_subcommand delete" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c biopass -n "__fish_biopass_using_subcommand delete" -s V -l version -d 'Print version'
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and not __fish_seen_subcommand_from serve status reset help" -l env -d 'API environment: production, hml (homologation) or the built-in sandbox' -r -f -a "production\t''
hml\t''
sandbox\t''"
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and not __fish_seen_subcommand_from serve status reset help" -l endpoint -d 'Base URL of the API, overriding the environment\'s (https, or http to loopback)' -r
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and not __fish_seen_subcommand_from serve status reset help" -l profile -d 'Profile of the config file to use' -r
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and not __fish_seen_subcommand_from serve status reset help" -l config -d 'Config file [default: <config dir>/biopass/config.toml]' -r -F
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and not __fish_seen_subcommand_from serve status reset help" -l api-key-file -d 'File holding the API key (mode 0600), or - to read it from standard input' -r
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and not __fish_seen_subcommand_from serve status reset help" -s o -l output -d 'Output format of results on stdout' -r -f -a "text\t''
json\t''"
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and not __fish_seen_subcommand_from serve status reset help" -l timeout -d 'Whole-request timeout, in seconds, 1ms to 1 day [default: 120]' -r
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and not __fish_seen_subcommand_from serve status reset help" -l connect-timeout -d 'Connect timeout, in seconds, 1ms to 1 day [default: 10]' -r
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and not __fish_seen_subcommand_from serve status reset help" -l max-image-bytes -d 'Largest image accepted, in bytes, at most 1 GiB [default: 10485760 (10 MiB)]' -r
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and not __fish_seen_subcommand_from serve status reset help" -l max-dimension -d 'Downscale faces whose long side is larger to exactly PX (64-65535; off by default; never fingerprints)' -r
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and not __fish_seen_subcommand_from serve status reset help" -l face-check -d 'The face gate on or off (true/false): the env BIOPASS_FACE_CHECK\'s flag; --no-face-check is the one to type' -r -f -a "true\t''
false\t''"
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and not __fish_seen_subcommand_from serve status reset help" -l ca-cert -d 'Extra trusted root certificate (PEM) for TLS' -r -F
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and not __fish_seen_subcommand_from serve status reset help" -l keep-metadata -d 'Send images exactly as they are: no metadata removal, no turning upright, no downscaling (profile key keep_metadata)'
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and not __fish_seen_subcommand_from serve status reset help" -l no-face-check -d 'Send faces the offline face gate refuses (no face, several faces, orientation unreadable); profile key face_check = false, env BIOPASS_FACE_CHECK=false'
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and not __fish_seen_subcommand_from serve status reset help" -s v -l verbose -d 'Log requests to stderr (method, URL, status, timing, sizes; never keys or images)'
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and not __fish_seen_subcommand_from serve status reset help" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and not __fish_seen_subcommand_from serve status reset help" -l dry-run -d 'Print the request that would be sent (key and images redacted) and send nothing'
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and not __fish_seen_subcommand_from serve status reset help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and not __fish_seen_subcommand_from serve status reset help" -s V -l version -d 'Print version'
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and not __fish_seen_subcommand_from serve status reset help" -f -a "serve" -d 'Serve the emulator on 127.0.0.1 until Ctrl-C; prints its URL and key'
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and not __fish_seen_subcommand_from serve status reset help" -f -a "status" -d 'Show the embedded sandbox\'s state: its folder, people enrolled, size'
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and not __fish_seen_subcommand_from serve status reset help" -f -a "reset" -d 'Delete the embedded sandbox\'s state, without asking (it is throwaway test data)'
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and not __fish_seen_subcommand_from serve status reset help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and __fish_seen_subcommand_from serve" -l port -d 'Port on 127.0.0.1 (0 picks a free one)' -r
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and __fish_seen_subcommand_from serve" -l data -d 'Keep state in this JSON file (image digests only) [default: in memory]' -r -F
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and __fish_seen_subcommand_from serve" -l key -d 'Subscription key the emulator accepts [default: biopass-sandbox-key]' -r
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and __fish_seen_subcommand_from serve" -l seed -d 'Seed of the fault sequence (same seed and request order, same faults)' -r
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and __fish_seen_subcommand_from serve" -l fail-503 -d 'Share of requests answered 503 before acting (0-1)' -r
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and __fish_seen_subcommand_from serve" -l fail-429 -d 'Share of requests answered 429 with Retry-After before acting (0-1)' -r
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and __fish_seen_subcommand_from serve" -l retry-after -d 'Retry-After sent with each 429, in seconds' -r
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and __fish_seen_subcommand_from serve" -l reset -d 'Share of requests applied, then answered with a connection reset (0-1)' -r
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and __fish_seen_subcommand_from serve" -l hang -d 'Share of requests applied, then answered only after --hang-ms (0-1)' -r
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and __fish_seen_subcommand_from serve" -l hang-ms -d 'How long a hung response is held, in milliseconds' -r
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and __fish_seen_subcommand_from serve" -l latency-ms -d 'Latency added to every person-operation response, in milliseconds' -r
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and __fish_seen_subcommand_from serve" -l env -d 'API environment: production, hml (homologation) or the built-in sandbox' -r -f -a "production\t''
hml\t''
sandbox\t''"
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and __fish_seen_subcommand_from serve" -l endpoint -d 'Base URL of the API, overriding the environment\'s (https, or http to loopback)' -r
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and __fish_seen_subcommand_from serve" -l profile -d 'Profile of the config file to use' -r
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and __fish_seen_subcommand_from serve" -l config -d 'Config file [default: <config dir>/biopass/config.toml]' -r -F
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and __fish_seen_subcommand_from serve" -l api-key-file -d 'File holding the API key (mode 0600), or - to read it from standard input' -r
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and __fish_seen_subcommand_from serve" -s o -l output -d 'Output format of results on stdout' -r -f -a "text\t''
json\t''"
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and __fish_seen_subcommand_from serve" -l timeout -d 'Whole-request timeout, in seconds, 1ms to 1 day [default: 120]' -r
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and __fish_seen_subcommand_from serve" -l connect-timeout -d 'Connect timeout, in seconds, 1ms to 1 day [default: 10]' -r
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and __fish_seen_subcommand_from serve" -l max-image-bytes -d 'Largest image accepted, in bytes, at most 1 GiB [default: 10485760 (10 MiB)]' -r
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and __fish_seen_subcommand_from serve" -l max-dimension -d 'Downscale faces whose long side is larger to exactly PX (64-65535; off by default; never fingerprints)' -r
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and __fish_seen_subcommand_from serve" -l face-check -d 'The face gate on or off (true/false): the env BIOPASS_FACE_CHECK\'s flag; --no-face-check is the one to type' -r -f -a "true\t''
false\t''"
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and __fish_seen_subcommand_from serve" -l ca-cert -d 'Extra trusted root certificate (PEM) for TLS' -r -F
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and __fish_seen_subcommand_from serve" -l keep-metadata -d 'Send images exactly as they are: no metadata removal, no turning upright, no downscaling (profile key keep_metadata)'
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and __fish_seen_subcommand_from serve" -l no-face-check -d 'Send faces the offline face gate refuses (no face, several faces, orientation unreadable); profile key face_check = false, env BIOPASS_FACE_CHECK=false'
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and __fish_seen_subcommand_from serve" -s v -l verbose -d 'Log requests to stderr (method, URL, status, timing, sizes; never keys or images)'
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and __fish_seen_subcommand_from serve" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and __fish_seen_subcommand_from serve" -l dry-run -d 'Print the request that would be sent (key and images redacted) and send nothing'
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and __fish_seen_subcommand_from serve" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and __fish_seen_subcommand_from serve" -s V -l version -d 'Print version'
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and __fish_seen_subcommand_from status" -l env -d 'API environment: production, hml (homologation) or the built-in sandbox' -r -f -a "production\t''
hml\t''
sandbox\t''"
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and __fish_seen_subcommand_from status" -l endpoint -d 'Base URL of the API, overriding the environment\'s (https, or http to loopback)' -r
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and __fish_seen_subcommand_from status" -l profile -d 'Profile of the config file to use' -r
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and __fish_seen_subcommand_from status" -l config -d 'Config file [default: <config dir>/biopass/config.toml]' -r -F
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and __fish_seen_subcommand_from status" -l api-key-file -d 'File holding the API key (mode 0600), or - to read it from standard input' -r
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and __fish_seen_subcommand_from status" -s o -l output -d 'Output format of results on stdout' -r -f -a "text\t''
json\t''"
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and __fish_seen_subcommand_from status" -l timeout -d 'Whole-request timeout, in seconds, 1ms to 1 day [default: 120]' -r
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and __fish_seen_subcommand_from status" -l connect-timeout -d 'Connect timeout, in seconds, 1ms to 1 day [default: 10]' -r
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and __fish_seen_subcommand_from status" -l max-image-bytes -d 'Largest image accepted, in bytes, at most 1 GiB [default: 10485760 (10 MiB)]' -r
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and __fish_seen_subcommand_from status" -l max-dimension -d 'Downscale faces whose long side is larger to exactly PX (64-65535; off by default; never fingerprints)' -r
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and __fish_seen_subcommand_from status" -l face-check -d 'The face gate on or off (true/false): the env BIOPASS_FACE_CHECK\'s flag; --no-face-check is the one to type' -r -f -a "true\t''
false\t''"
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and __fish_seen_subcommand_from status" -l ca-cert -d 'Extra trusted root certificate (PEM) for TLS' -r -F
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and __fish_seen_subcommand_from status" -l keep-metadata -d 'Send images exactly as they are: no metadata removal, no turning upright, no downscaling (profile key keep_metadata)'
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and __fish_seen_subcommand_from status" -l no-face-check -d 'Send faces the offline face gate refuses (no face, several faces, orientation unreadable); profile key face_check = false, env BIOPASS_FACE_CHECK=false'
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and __fish_seen_subcommand_from status" -s v -l verbose -d 'Log requests to stderr (method, URL, status, timing, sizes; never keys or images)'
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and __fish_seen_subcommand_from status" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and __fish_seen_subcommand_from status" -l dry-run -d 'Print the request that would be sent (key and images redacted) and send nothing'
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and __fish_seen_subcommand_from status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and __fish_seen_subcommand_from status" -s V -l version -d 'Print version'
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and __fish_seen_subcommand_from reset" -l env -d 'API environment: production, hml (homologation) or the built-in sandbox' -r -f -a "production\t''
hml\t''
sandbox\t''"
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and __fish_seen_subcommand_from reset" -l endpoint -d 'Base URL of the API, overriding the environment\'s (https, or http to loopback)' -r
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and __fish_seen_subcommand_from reset" -l profile -d 'Profile of the config file to use' -r
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and __fish_seen_subcommand_from reset" -l config -d 'Config file [default: <config dir>/biopass/config.toml]' -r -F
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and __fish_seen_subcommand_from reset" -l api-key-file -d 'File holding the API key (mode 0600), or - to read it from standard input' -r
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and __fish_seen_subcommand_from reset" -s o -l output -d 'Output format of results on stdout' -r -f -a "text\t''
json\t''"
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and __fish_seen_subcommand_from reset" -l timeout -d 'Whole-request timeout, in seconds, 1ms to 1 day [default: 120]' -r
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and __fish_seen_subcommand_from reset" -l connect-timeout -d 'Connect timeout, in seconds, 1ms to 1 day [default: 10]' -r
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and __fish_seen_subcommand_from reset" -l max-image-bytes -d 'Largest image accepted, in bytes, at most 1 GiB [default: 10485760 (10 MiB)]' -r
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and __fish_seen_subcommand_from reset" -l max-dimension -d 'Downscale faces whose long side is larger to exactly PX (64-65535; off by default; never fingerprints)' -r
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and __fish_seen_subcommand_from reset" -l face-check -d 'The face gate on or off (true/false): the env BIOPASS_FACE_CHECK\'s flag; --no-face-check is the one to type' -r -f -a "true\t''
false\t''"
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and __fish_seen_subcommand_from reset" -l ca-cert -d 'Extra trusted root certificate (PEM) for TLS' -r -F
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and __fish_seen_subcommand_from reset" -l keep-metadata -d 'Send images exactly as they are: no metadata removal, no turning upright, no downscaling (profile key keep_metadata)'
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and __fish_seen_subcommand_from reset" -l no-face-check -d 'Send faces the offline face gate refuses (no face, several faces, orientation unreadable); profile key face_check = false, env BIOPASS_FACE_CHECK=false'
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and __fish_seen_subcommand_from reset" -s v -l verbose -d 'Log requests to stderr (method, URL, status, timing, sizes; never keys or images)'
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and __fish_seen_subcommand_from reset" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and __fish_seen_subcommand_from reset" -l dry-run -d 'Print the request that would be sent (key and images redacted) and send nothing'
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and __fish_seen_subcommand_from reset" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and __fish_seen_subcommand_from reset" -s V -l version -d 'Print version'
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and __fish_seen_subcommand_from help" -f -a "serve" -d 'Serve the emulator on 127.0.0.1 until Ctrl-C; prints its URL and key'
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and __fish_seen_subcommand_from help" -f -a "status" -d 'Show the embedded sandbox\'s state: its folder, people enrolled, size'
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and __fish_seen_subcommand_from help" -f -a "reset" -d 'Delete the embedded sandbox\'s state, without asking (it is throwaway test data)'
complete -c biopass -n "__fish_biopass_using_subcommand sandbox; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c biopass -n "__fish_biopass_using_subcommand config; and not __fish_seen_subcommand_from path show init set-key help" -l env -d 'API environment: production, hml (homologation) or the built-in sandbox' -r -f -a "production\t''
hml\t''
sandbox\t''"
complete -c biopass -n "__fish_biopass_using_subcommand config; and not __fish_seen_subcommand_from path show init set-key help" -l endpoint -d 'Base URL of the API, overriding the environment\'s (https, or http to loopback)' -r
complete -c biopass -n "__fish_biopass_using_subcommand config; and not __fish_seen_subcommand_from path show init set-key help" -l profile -d 'Profile of the config file to use' -r
complete -c biopass -n "__fish_biopass_using_subcommand config; and not __fish_seen_subcommand_from path show init set-key help" -l config -d 'Config file [default: <config dir>/biopass/config.toml]' -r -F
complete -c biopass -n "__fish_biopass_using_subcommand config; and not __fish_seen_subcommand_from path show init set-key help" -l api-key-file -d 'File holding the API key (mode 0600), or - to read it from standard input' -r
complete -c biopass -n "__fish_biopass_using_subcommand config; and not __fish_seen_subcommand_from path show init set-key help" -s o -l output -d 'Output format of results on stdout' -r -f -a "text\t''
json\t''"
complete -c biopass -n "__fish_biopass_using_subcommand config; and not __fish_seen_subcommand_from path show init set-key help" -l timeout -d 'Whole-request timeout, in seconds, 1ms to 1 day [default: 120]' -r
complete -c biopass -n "__fish_biopass_using_subcommand config; and not __fish_seen_subcommand_from path show init set-key help" -l connect-timeout -d 'Connect timeout, in seconds, 1ms to 1 day [default: 10]' -r
complete -c biopass -n "__fish_biopass_using_subcommand config; and not __fish_seen_subcommand_from path show init set-key help" -l max-image-bytes -d 'Largest image accepted, in bytes, at most 1 GiB [default: 10485760 (10 MiB)]' -r
complete -c biopass -n "__fish_biopass_using_subcommand config; and not __fish_seen_subcommand_from path show init set-key help" -l max-dimension -d 'Downscale faces whose long side is larger to exactly PX (64-65535; off by default; never fingerprints)' -r
complete -c biopass -n "__fish_biopass_using_subcommand config; and not __fish_seen_subcommand_from path show init set-key help" -l face-check -d 'The face gate on or off (true/false): the env BIOPASS_FACE_CHECK\'s flag; --no-face-check is the one to type' -r -f -a "true\t''
false\t''"
complete -c biopass -n "__fish_biopass_using_subcommand config; and not __fish_seen_subcommand_from path show init set-key help" -l ca-cert -d 'Extra trusted root certificate (PEM) for TLS' -r -F
complete -c biopass -n "__fish_biopass_using_subcommand config; and not __fish_seen_subcommand_from path show init set-key help" -l keep-metadata -d 'Send images exactly as they are: no metadata removal, no turning upright, no downscaling (profile key keep_metadata)'
complete -c biopass -n "__fish_biopass_using_subcommand config; and not __fish_seen_subcommand_from path show init set-key help" -l no-face-check -d 'Send faces the offline face gate refuses (no face, several faces, orientation unreadable); profile key face_check = false, env BIOPASS_FACE_CHECK=false'
complete -c biopass -n "__fish_biopass_using_subcommand config; and not __fish_seen_subcommand_from path show init set-key help" -s v -l verbose -d 'Log requests to stderr (method, URL, status, timing, sizes; never keys or images)'
complete -c biopass -n "__fish_biopass_using_subcommand config; and not __fish_seen_subcommand_from path show init set-key help" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c biopass -n "__fish_biopass_using_subcommand config; and not __fish_seen_subcommand_from path show init set-key help" -l dry-run -d 'Print the request that would be sent (key and images redacted) and send nothing'
complete -c biopass -n "__fish_biopass_using_subcommand config; and not __fish_seen_subcommand_from path show init set-key help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c biopass -n "__fish_biopass_using_subcommand config; and not __fish_seen_subcommand_from path show init set-key help" -s V -l version -d 'Print version'
complete -c biopass -n "__fish_biopass_using_subcommand config; and not __fish_seen_subcommand_from path show init set-key help" -f -a "path" -d 'Print the path of the config file in use'
complete -c biopass -n "__fish_biopass_using_subcommand config; and not __fish_seen_subcommand_from path show init set-key help" -f -a "show" -d 'Print every effective setting and where it came from (key masked)'
complete -c biopass -n "__fish_biopass_using_subcommand config; and not __fish_seen_subcommand_from path show init set-key help" -f -a "init" -d 'Write a starter config file (mode 0600); never prompts'
complete -c biopass -n "__fish_biopass_using_subcommand config; and not __fish_seen_subcommand_from path show init set-key help" -f -a "set-key" -d 'Store the API key, read from standard input, in a 0600 file beside the config file and point the profile\'s api_key_file at it (--profile chooses the profile)'
complete -c biopass -n "__fish_biopass_using_subcommand config; and not __fish_seen_subcommand_from path show init set-key help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c biopass -n "__fish_biopass_using_subcommand config; and __fish_seen_subcommand_from path" -l env -d 'API environment: production, hml (homologation) or the built-in sandbox' -r -f -a "production\t''
hml\t''
sandbox\t''"
complete -c biopass -n "__fish_biopass_using_subcommand config; and __fish_seen_subcommand_from path" -l endpoint -d 'Base URL of the API, overriding the environment\'s (https, or http to loopback)' -r
complete -c biopass -n "__fish_biopass_using_subcommand config; and __fish_seen_subcommand_from path" -l profile -d 'Profile of the config file to use' -r
complete -c biopass -n "__fish_biopass_using_subcommand config; and __fish_seen_subcommand_from path" -l config -d 'Config file [default: <config dir>/biopass/config.toml]' -r -F
complete -c biopass -n "__fish_biopass_using_subcommand config; and __fish_seen_subcommand_from path" -l api-key-file -d 'File holding the API key (mode 0600), or - to read it from standard input' -r
complete -c biopass -n "__fish_biopass_using_subcommand config; and __fish_seen_subcommand_from path" -s o -l output -d 'Output format of results on stdout' -r -f -a "text\t''
json\t''"
complete -c biopass -n "__fish_biopass_using_subcommand config; and __fish_seen_subcommand_from path" -l timeout -d 'Whole-request timeout, in seconds, 1ms to 1 day [default: 120]' -r
complete -c biopass -n "__fish_biopass_using_subcommand config; and __fish_seen_subcommand_from path" -l connect-timeout -d 'Connect timeout, in seconds, 1ms to 1 day [default: 10]' -r
complete -c biopass -n "__fish_biopass_using_subcommand config; and __fish_seen_subcommand_from path" -l max-image-bytes -d 'Largest image accepted, in bytes, at most 1 GiB [default: 10485760 (10 MiB)]' -r
complete -c biopass -n "__fish_biopass_using_subcommand config; and __fish_seen_subcommand_from path" -l max-dimension -d 'Downscale faces whose long side is larger to exactly PX (64-65535; off by default; never fingerprints)' -r
complete -c biopass -n "__fish_biopass_using_subcommand config; and __fish_seen_subcommand_from path" -l face-check -d 'The face gate on or off (true/false): the env BIOPASS_FACE_CHECK\'s flag; --no-face-check is the one to type' -r -f -a "true\t''
false\t''"
complete -c biopass -n "__fish_biopass_using_subcommand config; and __fish_seen_subcommand_from path" -l ca-cert -d 'Extra trusted root certificate (PEM) for TLS' -r -F
complete -c biopass -n "__fish_biopass_using_subcommand config; and __fish_seen_subcommand_from path" -l keep-metadata -d 'Send images exactly as they are: no metadata removal, no turning upright, no downscaling (profile key keep_metadata)'
complete -c biopass -n "__fish_biopass_using_subcommand config; and __fish_seen_subcommand_from path" -l no-face-check -d 'Send faces the offline face gate refuses (no face, several faces, orientation unreadable); profile key face_check = false, env BIOPASS_FACE_CHECK=false'
complete -c biopass -n "__fish_biopass_using_subcommand config; and __fish_seen_subcommand_from path" -s v -l verbose -d 'Log requests to stderr (method, URL, status, timing, sizes; never keys or images)'
complete -c biopass -n "__fish_biopass_using_subcommand config; and __fish_seen_subcommand_from path" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c biopass -n "__fish_biopass_using_subcommand config; and __fish_seen_subcommand_from path" -l dry-run -d 'Print the request that would be sent (key and images redacted) and send nothing'
complete -c biopass -n "__fish_biopass_using_subcommand config; and __fish_seen_subcommand_from path" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c biopass -n "__fish_biopass_using_subcommand config; and __fish_seen_subcommand_from path" -s V -l version -d 'Print version'
complete -c biopass -n "__fish_biopass_using_subcommand config; and __fish_seen_subcommand_from show" -l env -d 'API environment: production, hml (homologation) or the built-in sandbox' -r -f -a "production\t''
hml\t''
sandbox\t''"
complete -c biopass -n "__fish_biopass_using_subcommand config; and __fish_seen_subcommand_from show" -l endpoint -d 'Base URL of the API, overriding the environment\'s (https, or http to loopback)' -r
complete -c biopass -n "__fish_biopass_using_subcommand config; and __fish_seen_subcommand_from show" -l profile -d 'Profile of the config file to use' -r
complete -c biopass -n "__fish_biopass_using_subcommand config; and __fish_seen_subcommand_from show" -l config -d 'Config file [default: <config dir>/biopass/config.toml]' -r -F
complete -c biopass -n "__fish_biopass_using_subcommand config; and __fish_seen_subcommand_from show" -l api-key-file -d 'File holding the API key (mode 0600), or - to read it from standard input' -r
complete -c biopass -n "__fish_biopass_using_subcommand config; and __fish_seen_subcommand_from show" -s o -l output -d 'Output format of results on stdout' -r -f -a "text\t''
json\t''"
complete -c biopass -n "__fish_biopass_using_subcommand config; and __fish_seen_subcommand_from show" -l timeout -d 'Whole-request timeout, in seconds, 1ms to 1 day [default: 120]' -r
complete -c biopass -n "__fish_biopass_using_subcommand config; and __fish_seen_subcommand_from show" -l connect-timeout -d 'Connect timeout, in seconds, 1ms to 1 day [default: 10]' -r
complete -c biopass -n "__fish_biopass_using_subcommand config; and __fish_seen_subcommand_from show" -l max-image-bytes -d 'Largest image accepted, in bytes, at most 1 GiB [default: 10485760 (10 MiB)]' -r
complete -c biopass -n "__fish_biopass_using_subcommand config; and __fish_seen_subcommand_from show" -l max-dimension -d 'Downscale faces whose long side is larger to exactly PX (64-65535; off by default; never fingerprints)' -r
complete -c biopass -n "__fish_biopass_using_subcommand config; and __fish_seen_subcommand_from show" -l face-check -d 'The face gate on or off (true/false): the env BIOPASS_FACE_CHECK\'s flag; --no-face-check is the one to type' -r -f -a "true\t''
false\t''"
complete -c biopass -n "__fish_biopass_using_subcommand config; and __fish_seen_subcommand_from show" -l ca-cert -d 'Extra trusted root certificate (PEM) for TLS' -r -F
complete -c biopass -n "__fish_biopass_using_subcommand config; and __fish_seen_subcommand_from show" -l keep-metadata -d 'Send images exactly as they are: no metadata removal, no turning upright, no downscaling (profile key keep_metadata)'
complete -c biopass -n "__fish_biopass_using_subcommand config; and __fish_seen_subcommand_from show" -l no-face-check -d 'Send faces the offline face gate refuses (no face, several faces, orientation unreadable); profile key face_check = false, env BIOPASS_FACE_CHECK=false'
complete -c biopass -n "__fish_biopass_using_subcommand config; and __fish_seen_subcommand_from show" -s v -l verbose -d 'Log requests to stderr (method, URL, status, timing, sizes; never keys or images)'
complete -c biopass -n "__fish_biopass_using_subcommand config; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c biopass -n "__fish_biopass_using_subcommand config; and __fish_seen_subcommand_from show" -l dry-run -d 'Print the request that would be sent (key and images redacted) and send nothing'
complete -c biopass -n "__fish_biopass_using_subcommand config; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c biopass -n "__fish_biopass_using_subcommand config; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c biopass -n "__fish_biopass_using_subcommand config; and __fish_seen_subcommand_from init" -l env -d 'API environment: production, hml (homologation) or the built-in sandbox' -r -f -a "production\t''
hml\t''
sandbox\t''"
complete -c biopass -n "__fish_biopass_using_subcommand config; and __fish_seen_subcommand_from init" -l endpoint -d 'Base URL of the API, overriding the environment\'s (https, or http to loopback)' -r
complete -c biopass -n "__fish_biopass_using_subcommand config; and __fish_seen_subcommand_from init" -l profile -d 'Profile of the config file to use' -r
complete -c biopass -n "__fish_biopass_using_subcommand config; and __fish_seen_subcommand_from init" -l config -d 'Config file [default: <config dir>/biopass/config.toml]' -r -F
complete -c biopass -n "__fish_biopass_using_subcommand config; and __fish_seen_subcommand_from init" -l api-key-file -d 'File holding the API key (mode 0600), or - to read it from standard input' -r
complete -c biopass -n "__fish_biopass_using_subcommand config; and __fish_seen_subcommand_from init" -s o -l output -d 'Output format of results on stdout' -r -f -a "text\t''
json\t''"
complete -c biopass -n "__fish_biopass_using_subcommand config; and __fish_seen_subcommand_from init" -l timeout -d 'Whole-request timeout, in seconds, 1ms to 1 day [default: 120]' -r
complete -c biopass -n "__fish_biopass_using_subcommand config; and __fish_seen_subcommand_from init" -l connect-timeout -d 'Connect timeout, in seconds, 1ms to 1 day [default: 10]' -r
complete -c biopass -n "__fish_biopass_using_subcommand config; and __fish_seen_subcommand_from init" -l max-image-bytes -d 'Largest image accepted, in bytes, at most 1 GiB [default: 10485760 (10 MiB)]' -r
complete -c biopass -n "__fish_biopass_using_subcommand config; and __fish_seen_subcommand_from init" -l max-dimension -d 'Downscale faces whose long side is larger to exactly PX (64-65535; off by default; never fingerprints)' -r
complete -c biopass -n "__fish_biopass_using_subcommand config; and __fish_seen_subcommand_from init" -l face-check -d 'The face gate on or off (true/false): the env BIOPASS_FACE_CHECK\'s flag; --no-face-check is the one to type' -r -f -a "true\t''
false\t''"
complete -c biopass -n "__fish_biopass_using_subcommand config; and __fish_seen_subcommand_from init" -l ca-cert -d 'Extra trusted root certificate (PEM) for TLS' -r -F
complete -c biopass -n "__fish_biopass_using_subcommand config; and __fish_seen_subcommand_from init" -l force -d 'Overwrite an existing file'
complete -c biopass -n "__fish_biopass_using_subcommand config; and __fish_seen_subcommand_from init" -l keep-metadata -d 'Send images exactly as they are: no metadata removal, no turning upright, no downscaling (profile key keep_metadata)'
complete -c biopass -n "__fish_biopass_using_subcommand config; and __fish_seen_subcommand_from init" -l no-face-check -d 'Send faces the offline face gate refuses (no face, several faces, orientation unreadable); profile key face_check = false, env BIOPASS_FACE_CHECK=false'
complete -c biopass -n "__fish_biopass_using_subcommand config; and __fish_seen_subcommand_from init" -s v -l verbose -d 'Log requests to stderr (method, URL, status, timing, sizes; never keys or images)'
complete -c biopass -n "__fish_biopass_using_subcommand config; and __fish_seen_subcommand_from init" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c biopass -n "__fish_biopass_using_subcommand config; and __fish_seen_subcommand_from init" -l dry-run -d 'Print the request that would be sent (key and images redacted) and send nothing'
complete -c biopass -n "__fish_biopass_using_subcommand config; and __fish_seen_subcommand_from init" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c biopass -n "__fish_biopass_using_subcommand config; and __fish_seen_subcommand_from init" -s V -l version -d 'Print version'
complete -c biopass -n "__fish_biopass_using_subcommand config; and __fish_seen_subcommand_from set-key" -l env -d 'API environment: production, hml (homologation) or the built-in sandbox' -r -f -a "production\t''
hml\t''
sandbox\t''"
complete -c biopass -n "__fish_biopass_using_subcommand config; and __fish_seen_subcommand_from set-key" -l endpoint -d 'Base URL of the API, overriding the environment\'s (https, or http to loopback)' -r
complete -c biopass -n "__fish_biopass_using_subcommand config; and __fish_seen_subcommand_from set-key" -l profile -d 'Profile of the config file to use' -r
complete -c biopass -n "__fish_biopass_using_subcommand config; and __fish_seen_subcommand_from set-key" -l config -d 'Config file [default: <config dir>/biopass/config.toml]' -r -F
complete -c biopass -n "__fish_biopass_using_subcommand config; and __fish_seen_subcommand_from set-key" -l api-key-file -d 'File holding the API key (mode 0600), or - to read it from standard input' -r
complete -c biopass -n "__fish_biopass_using_subcommand config; and __fish_seen_subcommand_from set-key" -s o -l output -d 'Output format of results on stdout' -r -f -a "text\t''
json\t''"
complete -c biopass -n "__fish_biopass_using_subcommand config; and __fish_seen_subcommand_from set-key" -l timeout -d 'Whole-request timeout, in seconds, 1ms to 1 day [default: 120]' -r
complete -c biopass -n "__fish_biopass_using_subcommand config; and __fish_seen_subcommand_from set-key" -l connect-timeout -d 'Connect timeout, in seconds, 1ms to 1 day [default: 10]' -r
complete -c biopass -n "__fish_biopass_using_subcommand config; and __fish_seen_subcommand_from set-key" -l max-image-bytes -d 'Largest image accepted, in bytes, at most 1 GiB [default: 10485760 (10 MiB)]' -r
complete -c biopass -n "__fish_biopass_using_subcommand config; and __fish_seen_subcommand_from set-key" -l max-dimension -d 'Downscale faces whose long side is larger to exactly PX (64-65535; off by default; never fingerprints)' -r
complete -c biopass -n "__fish_biopass_using_subcommand config; and __fish_seen_subcommand_from set-key" -l face-check -d 'The face gate on or off (true/false): the env BIOPASS_FACE_CHECK\'s flag; --no-face-check is the one to type' -r -f -a "true\t''
false\t''"
complete -c biopass -n "__fish_biopass_using_subcommand config; and __fish_seen_subcommand_from set-key" -l ca-cert -d 'Extra trusted root certificate (PEM) for TLS' -r -F
complete -c biopass -n "__fish_biopass_using_subcommand config; and __fish_seen_subcommand_from set-key" -l keep-metadata -d 'Send images exactly as they are: no metadata removal, no turning upright, no downscaling (profile key keep_metadata)'
complete -c biopass -n "__fish_biopass_using_subcommand config; and __fish_seen_subcommand_from set-key" -l no-face-check -d 'Send faces the offline face gate refuses (no face, several faces, orientation unreadable); profile key face_check = false, env BIOPASS_FACE_CHECK=false'
complete -c biopass -n "__fish_biopass_using_subcommand config; and __fish_seen_subcommand_from set-key" -s v -l verbose -d 'Log requests to stderr (method, URL, status, timing, sizes; never keys or images)'
complete -c biopass -n "__fish_biopass_using_subcommand config; and __fish_seen_subcommand_from set-key" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c biopass -n "__fish_biopass_using_subcommand config; and __fish_seen_subcommand_from set-key" -l dry-run -d 'Print the request that would be sent (key and images redacted) and send nothing'
complete -c biopass -n "__fish_biopass_using_subcommand config; and __fish_seen_subcommand_from set-key" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c biopass -n "__fish_biopass_using_subcommand config; and __fish_seen_subcommand_from set-key" -s V -l version -d 'Print version'
complete -c biopass -n "__fish_biopass_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "path" -d 'Print the path of the config file in use'
complete -c biopass -n "__fish_biopass_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "show" -d 'Print every effective setting and where it came from (key masked)'
complete -c biopass -n "__fish_biopass_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "init" -d 'Write a starter config file (mode 0600); never prompts'
complete -c biopass -n "__fish_biopass_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "set-key" -d 'Store the API key, read from standard input, in a 0600 file beside the config file and point the profile\'s api_key_file at it (--profile chooses the profile)'
complete -c biopass -n "__fish_biopass_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c biopass -n "__fish_biopass_using_subcommand report" -l env -d 'API environment: production, hml (homologation) or the built-in sandbox' -r -f -a "production\t''
hml\t''
sandbox\t''"
complete -c biopass -n "__fish_biopass_using_subcommand report" -l endpoint -d 'Base URL of the API, overriding the environment\'s (https, or http to loopback)' -r
complete -c biopass -n "__fish_biopass_using_subcommand report" -l profile -d 'Profile of the config file to use' -r
complete -c biopass -n "__fish_biopass_using_subcommand report" -l config -d 'Config file [default: <config dir>/biopass/config.toml]' -r -F
complete -c biopass -n "__fish_biopass_using_subcommand report" -l api-key-file -d 'File holding the API key (mode 0600), or - to read it from standard input' -r
complete -c biopass -n "__fish_biopass_using_subcommand report" -s o -l output -d 'Output format of results on stdout' -r -f -a "text\t''
json\t''"
complete -c biopass -n "__fish_biopass_using_subcommand report" -l timeout -d 'Whole-request timeout, in seconds, 1ms to 1 day [default: 120]' -r
complete -c biopass -n "__fish_biopass_using_subcommand report" -l connect-timeout -d 'Connect timeout, in seconds, 1ms to 1 day [default: 10]' -r
complete -c biopass -n "__fish_biopass_using_subcommand report" -l max-image-bytes -d 'Largest image accepted, in bytes, at most 1 GiB [default: 10485760 (10 MiB)]' -r
complete -c biopass -n "__fish_biopass_using_subcommand report" -l max-dimension -d 'Downscale faces whose long side is larger to exactly PX (64-65535; off by default; never fingerprints)' -r
complete -c biopass -n "__fish_biopass_using_subcommand report" -l face-check -d 'The face gate on or off (true/false): the env BIOPASS_FACE_CHECK\'s flag; --no-face-check is the one to type' -r -f -a "true\t''
false\t''"
complete -c biopass -n "__fish_biopass_using_subcommand report" -l ca-cert -d 'Extra trusted root certificate (PEM) for TLS' -r -F
complete -c biopass -n "__fish_biopass_using_subcommand report" -l keep-metadata -d 'Send images exactly as they are: no metadata removal, no turning upright, no downscaling (profile key keep_metadata)'
complete -c biopass -n "__fish_biopass_using_subcommand report" -l no-face-check -d 'Send faces the offline face gate refuses (no face, several faces, orientation unreadable); profile key face_check = false, env BIOPASS_FACE_CHECK=false'
complete -c biopass -n "__fish_biopass_using_subcommand report" -s v -l verbose -d 'Log requests to stderr (method, URL, status, timing, sizes; never keys or images)'
complete -c biopass -n "__fish_biopass_using_subcommand report" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c biopass -n "__fish_biopass_using_subcommand report" -l dry-run -d 'Print the request that would be sent (key and images redacted) and send nothing'
complete -c biopass -n "__fish_biopass_using_subcommand report" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c biopass -n "__fish_biopass_using_subcommand report" -s V -l version -d 'Print version'
complete -c biopass -n "__fish_biopass_using_subcommand check" -l from -d 'Check every image of a manifest (faces and fingers by their columns)' -r
complete -c biopass -n "__fish_biopass_using_subcommand check" -l format -d 'Manifest format [default: by extension: .csv, .tsv, .jsonl/.ndjson, .xlsx/.xlsm, .ods]' -r -f -a "csv\t''
tsv\t''
jsonl\t''
xlsx\t''
ods\t''"
complete -c biopass -n "__fish_biopass_using_subcommand check" -l delimiter -d 'CSV delimiter: a character, or tab [default: Excel\'s sep= line, else told from the header: , ; or tab]' -r
complete -c biopass -n "__fish_biopass_using_subcommand check" -l encoding -d 'CSV text encoding [default: told from the bytes: a BOM, else UTF-8, else windows-1252]' -r -f -a "utf-8\t''
utf-16\t''
windows-1252\t''"
complete -c biopass -n "__fish_biopass_using_subcommand check" -l sheet -d 'Workbook sheet to read [default: the first]' -r
complete -c biopass -n "__fish_biopass_using_subcommand check" -l env -d 'API environment: production, hml (homologation) or the built-in sandbox' -r -f -a "production\t''
hml\t''
sandbox\t''"
complete -c biopass -n "__fish_biopass_using_subcommand check" -l endpoint -d 'Base URL of the API, overriding the environment\'s (https, or http to loopback)' -r
complete -c biopass -n "__fish_biopass_using_subcommand check" -l profile -d 'Profile of the config file to use' -r
complete -c biopass -n "__fish_biopass_using_subcommand check" -l config -d 'Config file [default: <config dir>/biopass/config.toml]' -r -F
complete -c biopass -n "__fish_biopass_using_subcommand check" -l api-key-file -d 'File holding the API key (mode 0600), or - to read it from standard input' -r
complete -c biopass -n "__fish_biopass_using_subcommand check" -s o -l output -d 'Output format of results on stdout' -r -f -a "text\t''
json\t''"
complete -c biopass -n "__fish_biopass_using_subcommand check" -l timeout -d 'Whole-request timeout, in seconds, 1ms to 1 day [default: 120]' -r
complete -c biopass -n "__fish_biopass_using_subcommand check" -l connect-timeout -d 'Connect timeout, in seconds, 1ms to 1 day [default: 10]' -r
complete -c biopass -n "__fish_biopass_using_subcommand check" -l max-image-bytes -d 'Largest image accepted, in bytes, at most 1 GiB [default: 10485760 (10 MiB)]' -r
complete -c biopass -n "__fish_biopass_using_subcommand check" -l max-dimension -d 'Downscale faces whose long side is larger to exactly PX (64-65535; off by default; never fingerprints)' -r
complete -c biopass -n "__fish_biopass_using_subcommand check" -l face-check -d 'The face gate on or off (true/false): the env BIOPASS_FACE_CHECK\'s flag; --no-face-check is the one to type' -r -f -a "true\t''
false\t''"
complete -c biopass -n "__fish_biopass_using_subcommand check" -l ca-cert -d 'Extra trusted root certificate (PEM) for TLS' -r -F
complete -c biopass -n "__fish_biopass_using_subcommand check" -l fingerprints -d 'The FILEs are fingerprint scans: never re-encoded, checked for 500 dpi'
complete -c biopass -n "__fish_biopass_using_subcommand check" -l strict -d 'Face findings that only warn (FACE_TOO_SMALL, FACE_OFF_CENTRE, BLURRY, TOO_DARK, OVEREXPOSED) block too: exit 65'
complete -c biopass -n "__fish_biopass_using_subcommand check" -l remote -d 'Also ask the service\'s own quality checks (faces: face detect, ICAO, liveness; fingerprints: NFIQ); whether these calls are billed is not documented'
complete -c biopass -n "__fish_biopass_using_subcommand check" -l keep-metadata -d 'Send images exactly as they are: no metadata removal, no turning upright, no downscaling (profile key keep_metadata)'
complete -c biopass -n "__fish_biopass_using_subcommand check" -l no-face-check -d 'Send faces the offline face gate refuses (no face, several faces, orientation unreadable); profile key face_check = false, env BIOPASS_FACE_CHECK=false'
complete -c biopass -n "__fish_biopass_using_subcommand check" -s v -l verbose -d 'Log requests to stderr (method, URL, status, timing, sizes; never keys or images)'
complete -c biopass -n "__fish_biopass_using_subcommand check" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c biopass -n "__fish_biopass_using_subcommand check" -l dry-run -d 'Print the request that would be sent (key and images redacted) and send nothing'
complete -c biopass -n "__fish_biopass_using_subcommand check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c biopass -n "__fish_biopass_using_subcommand check" -s V -l version -d 'Print version'
complete -c biopass -n "__fish_biopass_using_subcommand doctor" -l env -d 'API environment: production, hml (homologation) or the built-in sandbox' -r -f -a "production\t''
hml\t''
sandbox\t''"
complete -c biopass -n "__fish_biopass_using_subcommand doctor" -l endpoint -d 'Base URL of the API, overriding the environment\'s (https, or http to loopback)' -r
complete -c biopass -n "__fish_biopass_using_subcommand doctor" -l profile -d 'Profile of the config file to use' -r
complete -c biopass -n "__fish_biopass_using_subcommand doctor" -l config -d 'Config file [default: <config dir>/biopass/config.toml]' -r -F
complete -c biopass -n "__fish_biopass_using_subcommand doctor" -l api-key-file -d 'File holding the API key (mode 0600), or - to read it from standard input' -r
complete -c biopass -n "__fish_biopass_using_subcommand doctor" -s o -l output -d 'Output format of results on stdout' -r -f -a "text\t''
json\t''"
complete -c biopass -n "__fish_biopass_using_subcommand doctor" -l timeout -d 'Whole-request timeout, in seconds, 1ms to 1 day [default: 120]' -r
complete -c biopass -n "__fish_biopass_using_subcommand doctor" -l connect-timeout -d 'Connect timeout, in seconds, 1ms to 1 day [default: 10]' -r
complete -c biopass -n "__fish_biopass_using_subcommand doctor" -l max-image-bytes -d 'Largest image accepted, in bytes, at most 1 GiB [default: 10485760 (10 MiB)]' -r
complete -c biopass -n "__fish_biopass_using_subcommand doctor" -l max-dimension -d 'Downscale faces whose long side is larger to exactly PX (64-65535; off by default; never fingerprints)' -r
complete -c biopass -n "__fish_biopass_using_subcommand doctor" -l face-check -d 'The face gate on or off (true/false): the env BIOPASS_FACE_CHECK\'s flag; --no-face-check is the one to type' -r -f -a "true\t''
false\t''"
complete -c biopass -n "__fish_biopass_using_subcommand doctor" -l ca-cert -d 'Extra trusted root certificate (PEM) for TLS' -r -F
complete -c biopass -n "__fish_biopass_using_subcommand doctor" -l keep-metadata -d 'Send images exactly as they are: no metadata removal, no turning upright, no downscaling (profile key keep_metadata)'
complete -c biopass -n "__fish_biopass_using_subcommand doctor" -l no-face-check -d 'Send faces the offline face gate refuses (no face, several faces, orientation unreadable); profile key face_check = false, env BIOPASS_FACE_CHECK=false'
complete -c biopass -n "__fish_biopass_using_subcommand doctor" -s v -l verbose -d 'Log requests to stderr (method, URL, status, timing, sizes; never keys or images)'
complete -c biopass -n "__fish_biopass_using_subcommand doctor" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c biopass -n "__fish_biopass_using_subcommand doctor" -l dry-run -d 'Print the request that would be sent (key and images redacted) and send nothing'
complete -c biopass -n "__fish_biopass_using_subcommand doctor" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c biopass -n "__fish_biopass_using_subcommand doctor" -s V -l version -d 'Print version'
complete -c biopass -n "__fish_biopass_using_subcommand completions" -l env -d 'API environment: production, hml (homologation) or the built-in sandbox' -r -f -a "production\t''
hml\t''
sandbox\t''"
complete -c biopass -n "__fish_biopass_using_subcommand completions" -l endpoint -d 'Base URL of the API, overriding the environment\'s (https, or http to loopback)' -r
complete -c biopass -n "__fish_biopass_using_subcommand completions" -l profile -d 'Profile of the config file to use' -r
complete -c biopass -n "__fish_biopass_using_subcommand completions" -l config -d 'Config file [default: <config dir>/biopass/config.toml]' -r -F
complete -c biopass -n "__fish_biopass_using_subcommand completions" -l api-key-file -d 'File holding the API key (mode 0600), or - to read it from standard input' -r
complete -c biopass -n "__fish_biopass_using_subcommand completions" -s o -l output -d 'Output format of results on stdout' -r -f -a "text\t''
json\t''"
complete -c biopass -n "__fish_biopass_using_subcommand completions" -l timeout -d 'Whole-request timeout, in seconds, 1ms to 1 day [default: 120]' -r
complete -c biopass -n "__fish_biopass_using_subcommand completions" -l connect-timeout -d 'Connect timeout, in seconds, 1ms to 1 day [default: 10]' -r
complete -c biopass -n "__fish_biopass_using_subcommand completions" -l max-image-bytes -d 'Largest image accepted, in bytes, at most 1 GiB [default: 10485760 (10 MiB)]' -r
complete -c biopass -n "__fish_biopass_using_subcommand completions" -l max-dimension -d 'Downscale faces whose long side is larger to exactly PX (64-65535; off by default; never fingerprints)' -r
complete -c biopass -n "__fish_biopass_using_subcommand completions" -l face-check -d 'The face gate on or off (true/false): the env BIOPASS_FACE_CHECK\'s flag; --no-face-check is the one to type' -r -f -a "true\t''
false\t''"
complete -c biopass -n "__fish_biopass_using_subcommand completions" -l ca-cert -d 'Extra trusted root certificate (PEM) for TLS' -r -F
complete -c biopass -n "__fish_biopass_using_subcommand completions" -l keep-metadata -d 'Send images exactly as they are: no metadata removal, no turning upright, no downscaling (profile key keep_metadata)'
complete -c biopass -n "__fish_biopass_using_subcommand completions" -l no-face-check -d 'Send faces the offline face gate refuses (no face, several faces, orientation unreadable); profile key face_check = false, env BIOPASS_FACE_CHECK=false'
complete -c biopass -n "__fish_biopass_using_subcommand completions" -s v -l verbose -d 'Log requests to stderr (method, URL, status, timing, sizes; never keys or images)'
complete -c biopass -n "__fish_biopass_using_subcommand completions" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c biopass -n "__fish_biopass_using_subcommand completions" -l dry-run -d 'Print the request that would be sent (key and images redacted) and send nothing'
complete -c biopass -n "__fish_biopass_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c biopass -n "__fish_biopass_using_subcommand completions" -s V -l version -d 'Print version'
complete -c biopass -n "__fish_biopass_using_subcommand man" -l env -d 'API environment: production, hml (homologation) or the built-in sandbox' -r -f -a "production\t''
hml\t''
sandbox\t''"
complete -c biopass -n "__fish_biopass_using_subcommand man" -l endpoint -d 'Base URL of the API, overriding the environment\'s (https, or http to loopback)' -r
complete -c biopass -n "__fish_biopass_using_subcommand man" -l profile -d 'Profile of the config file to use' -r
complete -c biopass -n "__fish_biopass_using_subcommand man" -l config -d 'Config file [default: <config dir>/biopass/config.toml]' -r -F
complete -c biopass -n "__fish_biopass_using_subcommand man" -l api-key-file -d 'File holding the API key (mode 0600), or - to read it from standard input' -r
complete -c biopass -n "__fish_biopass_using_subcommand man" -s o -l output -d 'Output format of results on stdout' -r -f -a "text\t''
json\t''"
complete -c biopass -n "__fish_biopass_using_subcommand man" -l timeout -d 'Whole-request timeout, in seconds, 1ms to 1 day [default: 120]' -r
complete -c biopass -n "__fish_biopass_using_subcommand man" -l connect-timeout -d 'Connect timeout, in seconds, 1ms to 1 day [default: 10]' -r
complete -c biopass -n "__fish_biopass_using_subcommand man" -l max-image-bytes -d 'Largest image accepted, in bytes, at most 1 GiB [default: 10485760 (10 MiB)]' -r
complete -c biopass -n "__fish_biopass_using_subcommand man" -l max-dimension -d 'Downscale faces whose long side is larger to exactly PX (64-65535; off by default; never fingerprints)' -r
complete -c biopass -n "__fish_biopass_using_subcommand man" -l face-check -d 'The face gate on or off (true/false): the env BIOPASS_FACE_CHECK\'s flag; --no-face-check is the one to type' -r -f -a "true\t''
false\t''"
complete -c biopass -n "__fish_biopass_using_subcommand man" -l ca-cert -d 'Extra trusted root certificate (PEM) for TLS' -r -F
complete -c biopass -n "__fish_biopass_using_subcommand man" -l keep-metadata -d 'Send images exactly as they are: no metadata removal, no turning upright, no downscaling (profile key keep_metadata)'
complete -c biopass -n "__fish_biopass_using_subcommand man" -l no-face-check -d 'Send faces the offline face gate refuses (no face, several faces, orientation unreadable); profile key face_check = false, env BIOPASS_FACE_CHECK=false'
complete -c biopass -n "__fish_biopass_using_subcommand man" -s v -l verbose -d 'Log requests to stderr (method, URL, status, timing, sizes; never keys or images)'
complete -c biopass -n "__fish_biopass_using_subcommand man" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c biopass -n "__fish_biopass_using_subcommand man" -l dry-run -d 'Print the request that would be sent (key and images redacted) and send nothing'
complete -c biopass -n "__fish_biopass_using_subcommand man" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c biopass -n "__fish_biopass_using_subcommand man" -s V -l version -d 'Print version'
complete -c biopass -n "__fish_biopass_using_subcommand help; and not __fish_seen_subcommand_from enroll update verify delete sandbox config report check doctor completions man help" -f -a "enroll" -d 'Enroll a person (prints the BioPassID), or many with --from'
complete -c biopass -n "__fish_biopass_using_subcommand help; and not __fish_seen_subcommand_from enroll update verify delete sandbox config report check doctor completions man help" -f -a "update" -d 'Replace a person\'s images (prints the BioPassID), or many with --from'
complete -c biopass -n "__fish_biopass_using_subcommand help; and not __fish_seen_subcommand_from enroll update verify delete sandbox config report check doctor completions man help" -f -a "verify" -d 'Verify a person 1:1; prints "match" (exit 0) or "no match" (exit 1), or many with --from'
complete -c biopass -n "__fish_biopass_using_subcommand help; and not __fish_seen_subcommand_from enroll update verify delete sandbox config report check doctor completions man help" -f -a "delete" -d 'Delete a person (prints the CustomID), or many with --from'
complete -c biopass -n "__fish_biopass_using_subcommand help; and not __fish_seen_subcommand_from enroll update verify delete sandbox config report check doctor completions man help" -f -a "sandbox" -d 'Run the local BioPassID emulator, or inspect and reset the embedded one'
complete -c biopass -n "__fish_biopass_using_subcommand help; and not __fish_seen_subcommand_from enroll update verify delete sandbox config report check doctor completions man help" -f -a "config" -d 'Inspect or create the configuration file'
complete -c biopass -n "__fish_biopass_using_subcommand help; and not __fish_seen_subcommand_from enroll update verify delete sandbox config report check doctor completions man help" -f -a "report" -d 'List every row a batch journal knows, across all runs, with how it ended'
complete -c biopass -n "__fish_biopass_using_subcommand help; and not __fish_seen_subcommand_from enroll update verify delete sandbox config report check doctor completions man help" -f -a "check" -d 'Check images before sending (format, size, orientation, metadata); sends nothing'
complete -c biopass -n "__fish_biopass_using_subcommand help; and not __fish_seen_subcommand_from enroll update verify delete sandbox config report check doctor completions man help" -f -a "doctor" -d 'Check settings, key, DNS, connection, TLS and that the key is accepted; enrolls nobody'
complete -c biopass -n "__fish_biopass_using_subcommand help; and not __fish_seen_subcommand_from enroll update verify delete sandbox config report check doctor completions man help" -f -a "completions" -d 'Print a shell completion script'
complete -c biopass -n "__fish_biopass_using_subcommand help; and not __fish_seen_subcommand_from enroll update verify delete sandbox config report check doctor completions man help" -f -a "man" -d 'Print the manual page (roff), for a man folder or `man -l -`'
complete -c biopass -n "__fish_biopass_using_subcommand help; and not __fish_seen_subcommand_from enroll update verify delete sandbox config report check doctor completions man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c biopass -n "__fish_biopass_using_subcommand help; and __fish_seen_subcommand_from sandbox" -f -a "serve" -d 'Serve the emulator on 127.0.0.1 until Ctrl-C; prints its URL and key'
complete -c biopass -n "__fish_biopass_using_subcommand help; and __fish_seen_subcommand_from sandbox" -f -a "status" -d 'Show the embedded sandbox\'s state: its folder, people enrolled, size'
complete -c biopass -n "__fish_biopass_using_subcommand help; and __fish_seen_subcommand_from sandbox" -f -a "reset" -d 'Delete the embedded sandbox\'s state, without asking (it is throwaway test data)'
complete -c biopass -n "__fish_biopass_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "path" -d 'Print the path of the config file in use'
complete -c biopass -n "__fish_biopass_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "show" -d 'Print every effective setting and where it came from (key masked)'
complete -c biopass -n "__fish_biopass_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "init" -d 'Write a starter config file (mode 0600); never prompts'
complete -c biopass -n "__fish_biopass_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "set-key" -d 'Store the API key, read from standard input, in a 0600 file beside the config file and point the profile\'s api_key_file at it (--profile chooses the profile)'

# Added by biopass (src/bin/biopass/cmd/completions.rs): finger positions, then the file.
function __fish_biopass_finger_positions
    string match -q -- '*=*' (commandline -ct); and return
    printf '%s\tfinger position\n' right-thumb= right-index= right-middle= right-ring= right-little= left-thumb= left-index= left-middle= left-ring= left-little=
end
complete -c biopass -n "__fish_biopass_using_subcommand completions" -f -a "bash elvish fish powershell zsh"
