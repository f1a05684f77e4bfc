
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'biopass' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'biopass'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'biopass' {
            [CompletionResult]::new('--env', '--env', [CompletionResultType]::ParameterName, 'API environment: production, hml (homologation) or the built-in sandbox')
            [CompletionResult]::new('--endpoint', '--endpoint', [CompletionResultType]::ParameterName, 'Base URL of the API, overriding the environment''s (https, or http to loopback)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile of the config file to use')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/biopass/config.toml]')
            [CompletionResult]::new('--api-key-file', '--api-key-file', [CompletionResultType]::ParameterName, 'File holding the API key (mode 0600), or - to read it from standard input')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of results on stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of results on stdout')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Whole-request timeout, in seconds, 1ms to 1 day [default: 120]')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Connect timeout, in seconds, 1ms to 1 day [default: 10]')
            [CompletionResult]::new('--max-image-bytes', '--max-image-bytes', [CompletionResultType]::ParameterName, 'Largest image accepted, in bytes, at most 1 GiB [default: 10485760 (10 MiB)]')
            [CompletionResult]::new('--max-dimension', '--max-dimension', [CompletionResultType]::ParameterName, 'Downscale faces whose long side is larger to exactly PX (64-65535; off by default; never fingerprints)')
            [CompletionResult]::new('--face-check', '--face-check', [CompletionResultType]::ParameterName, 'The face gate on or off (true/false): the env BIOPASS_FACE_CHECK''s flag; --no-face-check is the one to type')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Extra trusted root certificate (PEM) for TLS')
            [CompletionResult]::new('--keep-metadata', '--keep-metadata', [CompletionResultType]::ParameterName, 'Send images exactly as they are: no metadata removal, no turning upright, no downscaling (profile key keep_metadata)')
            [CompletionResult]::new('--no-face-check', '--no-face-check', [CompletionResultType]::ParameterName, 'Send faces the offline face gate refuses (no face, several faces, orientation unreadable); profile key face_check = false, env BIOPASS_FACE_CHECK=false')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log requests to stderr (method, URL, status, timing, sizes; never keys or images)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log requests to stderr (method, URL, status, timing, sizes; never keys or images)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the request that would be sent (key and images redacted) and send nothing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('enroll', 'enroll', [CompletionResultType]::ParameterValue, 'Enroll a person (prints the BioPassID), or many with --from')
            [CompletionResult]::new('update', 'update', [CompletionResultType]::ParameterValue, 'Replace a person''s images (prints the BioPassID), or many with --from')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Verify a person 1:1; prints "match" (exit 0) or "no match" (exit 1), or many with --from')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete a person (prints the CustomID), or many with --from')
            [CompletionResult]::new('sandbox', 'sandbox', [CompletionResultType]::ParameterValue, 'Run the local BioPassID emulator, or inspect and reset the embedded one')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Inspect or create the configuration file')
            [CompletionResult]::new('report', 'report', [CompletionResultType]::ParameterValue, 'List every row a batch journal knows, across all runs, with how it ended')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Check images before sending (format, size, orientation, metadata); sends nothing')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Check settings, key, DNS, connection, TLS and that the key is accepted; enrolls nobody')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the manual page (roff), for a man folder or `man -l -`')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'biopass;enroll' {
            [CompletionResult]::new('--id', '--id', [CompletionResultType]::ParameterName, 'The person''s CustomID')
            [CompletionResult]::new('--face', '--face', [CompletionResultType]::ParameterName, 'Face image (JPEG, PNG, TIFF, BMP, WebP), or - for stdin; repeat for Face-2, ...')
            [CompletionResult]::new('--finger', '--finger', [CompletionResultType]::ParameterName, 'Fingerprint: POS is 1-10 or right-thumb ... left-little; repeatable')
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'Manifest of people: CSV with a header, JSON Lines, or a workbook; - reads standard input (with --format)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Manifest format [default: by extension: .csv, .tsv, .jsonl/.ndjson, .xlsx/.xlsm, .ods]')
            [CompletionResult]::new('--delimiter', '--delimiter', [CompletionResultType]::ParameterName, 'CSV delimiter: a character, or tab [default: Excel''s sep= line, else told from the header: , ; or tab]')
            [CompletionResult]::new('--encoding', '--encoding', [CompletionResultType]::ParameterName, 'CSV text encoding [default: told from the bytes: a BOM, else UTF-8, else windows-1252]')
            [CompletionResult]::new('--sheet', '--sheet', [CompletionResultType]::ParameterName, 'Workbook sheet to read [default: the first]')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'Concurrent requests [default: 4]')
            [CompletionResult]::new('--rate', '--rate', [CompletionResultType]::ParameterName, 'Requests per second across all jobs, at least 0.001 [default: unlimited]')
            [CompletionResult]::new('--journal', '--journal', [CompletionResultType]::ParameterName, 'Journal file [default: beside the manifest: MANIFEST.OP.journal]')
            [CompletionResult]::new('--shard', '--shard', [CompletionResultType]::ParameterName, 'Take only the rows whose CustomID hashes to shard K of N (K from 0)')
            [CompletionResult]::new('--summary-json', '--summary-json', [CompletionResultType]::ParameterName, 'Also write the final summary as JSON to FILE')
            [CompletionResult]::new('--passes', '--passes', [CompletionResultType]::ParameterName, 'Passes in all: later passes re-send rows left pending by transient errors (1: off) [default: 3]')
            [CompletionResult]::new('--progress-interval', '--progress-interval', [CompletionResultType]::ParameterName, 'Status line interval when stderr is not a terminal (0 or off: none)')
            [CompletionResult]::new('--env', '--env', [CompletionResultType]::ParameterName, 'API environment: production, hml (homologation) or the built-in sandbox')
            [CompletionResult]::new('--endpoint', '--endpoint', [CompletionResultType]::ParameterName, 'Base URL of the API, overriding the environment''s (https, or http to loopback)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile of the config file to use')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/biopass/config.toml]')
            [CompletionResult]::new('--api-key-file', '--api-key-file', [CompletionResultType]::ParameterName, 'File holding the API key (mode 0600), or - to read it from standard input')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of results on stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of results on stdout')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Whole-request timeout, in seconds, 1ms to 1 day [default: 120]')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Connect timeout, in seconds, 1ms to 1 day [default: 10]')
            [CompletionResult]::new('--max-image-bytes', '--max-image-bytes', [CompletionResultType]::ParameterName, 'Largest image accepted, in bytes, at most 1 GiB [default: 10485760 (10 MiB)]')
            [CompletionResult]::new('--max-dimension', '--max-dimension', [CompletionResultType]::ParameterName, 'Downscale faces whose long side is larger to exactly PX (64-65535; off by default; never fingerprints)')
            [CompletionResult]::new('--face-check', '--face-check', [CompletionResultType]::ParameterName, 'The face gate on or off (true/false): the env BIOPASS_FACE_CHECK''s flag; --no-face-check is the one to type')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Extra trusted root certificate (PEM) for TLS')
            [CompletionResult]::new('--retry-failed', '--retry-failed', [CompletionResultType]::ParameterName, 'Also retry rows that failed permanently in an earlier run')
            [CompletionResult]::new('--skip-invalid', '--skip-invalid', [CompletionResultType]::ParameterName, 'Record invalid rows as invalid and run the rest (default: list them, send nothing)')
            [CompletionResult]::new('--skip-existing', '--skip-existing', [CompletionResultType]::ParameterName, 'Count "CustomID already exists" as skipped rather than failed')
            [CompletionResult]::new('--accept-changed', '--accept-changed', [CompletionResultType]::ParameterName, 'Run rows whose content changed since the journal recorded them (default: refuse the run)')
            [CompletionResult]::new('--keep-metadata', '--keep-metadata', [CompletionResultType]::ParameterName, 'Send images exactly as they are: no metadata removal, no turning upright, no downscaling (profile key keep_metadata)')
            [CompletionResult]::new('--no-face-check', '--no-face-check', [CompletionResultType]::ParameterName, 'Send faces the offline face gate refuses (no face, several faces, orientation unreadable); profile key face_check = false, env BIOPASS_FACE_CHECK=false')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log requests to stderr (method, URL, status, timing, sizes; never keys or images)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log requests to stderr (method, URL, status, timing, sizes; never keys or images)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the request that would be sent (key and images redacted) and send nothing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'biopass;update' {
            [CompletionResult]::new('--id', '--id', [CompletionResultType]::ParameterName, 'The person''s CustomID')
            [CompletionResult]::new('--face', '--face', [CompletionResultType]::ParameterName, 'Face image (JPEG, PNG, TIFF, BMP, WebP), or - for stdin; repeat for Face-2, ...')
            [CompletionResult]::new('--finger', '--finger', [CompletionResultType]::ParameterName, 'Fingerprint: POS is 1-10 or right-thumb ... left-little; repeatable')
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'Manifest of people: CSV with a header, JSON Lines, or a workbook; - reads standard input (with --format)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Manifest format [default: by extension: .csv, .tsv, .jsonl/.ndjson, .xlsx/.xlsm, .ods]')
            [CompletionResult]::new('--delimiter', '--delimiter', [CompletionResultType]::ParameterName, 'CSV delimiter: a character, or tab [default: Excel''s sep= line, else told from the header: , ; or tab]')
            [CompletionResult]::new('--encoding', '--encoding', [CompletionResultType]::ParameterName, 'CSV text encoding [default: told from the bytes: a BOM, else UTF-8, else windows-1252]')
            [CompletionResult]::new('--sheet', '--sheet', [CompletionResultType]::ParameterName, 'Workbook sheet to read [default: the first]')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'Concurrent requests [default: 4]')
            [CompletionResult]::new('--rate', '--rate', [CompletionResultType]::ParameterName, 'Requests per second across all jobs, at least 0.001 [default: unlimited]')
            [CompletionResult]::new('--journal', '--journal', [CompletionResultType]::ParameterName, 'Journal file [default: beside the manifest: MANIFEST.OP.journal]')
            [CompletionResult]::new('--shard', '--shard', [CompletionResultType]::ParameterName, 'Take only the rows whose CustomID hashes to shard K of N (K from 0)')
            [CompletionResult]::new('--summary-json', '--summary-json', [CompletionResultType]::ParameterName, 'Also write the final summary as JSON to FILE')
            [CompletionResult]::new('--passes', '--passes', [CompletionResultType]::ParameterName, 'Passes in all: later passes re-send rows left pending by transient errors (1: off) [default: 3]')
            [CompletionResult]::new('--progress-interval', '--progress-interval', [CompletionResultType]::ParameterName, 'Status line interval when stderr is not a terminal (0 or off: none)')
            [CompletionResult]::new('--env', '--env', [CompletionResultType]::ParameterName, 'API environment: production, hml (homologation) or the built-in sandbox')
            [CompletionResult]::new('--endpoint', '--endpoint', [CompletionResultType]::ParameterName, 'Base URL of the API, overriding the environment''s (https, or http to loopback)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile of the config file to use')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/biopass/config.toml]')
            [CompletionResult]::new('--api-key-file', '--api-key-file', [CompletionResultType]::ParameterName, 'File holding the API key (mode 0600), or - to read it from standard input')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of results on stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of results on stdout')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Whole-request timeout, in seconds, 1ms to 1 day [default: 120]')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Connect timeout, in seconds, 1ms to 1 day [default: 10]')
            [CompletionResult]::new('--max-image-bytes', '--max-image-bytes', [CompletionResultType]::ParameterName, 'Largest image accepted, in bytes, at most 1 GiB [default: 10485760 (10 MiB)]')
            [CompletionResult]::new('--max-dimension', '--max-dimension', [CompletionResultType]::ParameterName, 'Downscale faces whose long side is larger to exactly PX (64-65535; off by default; never fingerprints)')
            [CompletionResult]::new('--face-check', '--face-check', [CompletionResultType]::ParameterName, 'The face gate on or off (true/false): the env BIOPASS_FACE_CHECK''s flag; --no-face-check is the one to type')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Extra trusted root certificate (PEM) for TLS')
            [CompletionResult]::new('--retry-failed', '--retry-failed', [CompletionResultType]::ParameterName, 'Also retry rows that failed permanently in an earlier run')
            [CompletionResult]::new('--skip-invalid', '--skip-invalid', [CompletionResultType]::ParameterName, 'Record invalid rows as invalid and run the rest (default: list them, send nothing)')
            [CompletionResult]::new('--accept-changed', '--accept-changed', [CompletionResultType]::ParameterName, 'Run rows whose content changed since the journal recorded them (default: refuse the run)')
            [CompletionResult]::new('--skip-existing', '--skip-existing', [CompletionResultType]::ParameterName, 'Count "CustomID already exists" as skipped rather than failed')
            [CompletionResult]::new('--keep-metadata', '--keep-metadata', [CompletionResultType]::ParameterName, 'Send images exactly as they are: no metadata removal, no turning upright, no downscaling (profile key keep_metadata)')
            [CompletionResult]::new('--no-face-check', '--no-face-check', [CompletionResultType]::ParameterName, 'Send faces the offline face gate refuses (no face, several faces, orientation unreadable); profile key face_check = false, env BIOPASS_FACE_CHECK=false')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log requests to stderr (method, URL, status, timing, sizes; never keys or images)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log requests to stderr (method, URL, status, timing, sizes; never keys or images)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the request that would be sent (key and images redacted) and send nothing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'biopass;verify' {
            [CompletionResult]::new('--id', '--id', [CompletionResultType]::ParameterName, 'The person''s CustomID')
            [CompletionResult]::new('--face', '--face', [CompletionResultType]::ParameterName, 'Face image (JPEG, PNG, TIFF, BMP, WebP), or - for stdin; repeat for Face-2, ...')
            [CompletionResult]::new('--finger', '--finger', [CompletionResultType]::ParameterName, 'Fingerprint: POS is 1-10 or right-thumb ... left-little; repeatable')
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'Manifest of people: CSV with a header, JSON Lines, or a workbook; - reads standard input (with --format)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Manifest format [default: by extension: .csv, .tsv, .jsonl/.ndjson, .xlsx/.xlsm, .ods]')
            [CompletionResult]::new('--delimiter', '--delimiter', [CompletionResultType]::ParameterName, 'CSV delimiter: a character, or tab [default: Excel''s sep= line, else told from the header: , ; or tab]')
            [CompletionResult]::new('--encoding', '--encoding', [CompletionResultType]::ParameterName, 'CSV text encoding [default: told from the bytes: a BOM, else UTF-8, else windows-1252]')
            [CompletionResult]::new('--sheet', '--sheet', [CompletionResultType]::ParameterName, 'Workbook sheet to read [default: the first]')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'Concurrent requests [default: 4]')
            [CompletionResult]::new('--rate', '--rate', [CompletionResultType]::ParameterName, 'Requests per second across all jobs, at least 0.001 [default: unlimited]')
            [CompletionResult]::new('--journal', '--journal', [CompletionResultType]::ParameterName, 'Journal file [default: beside the manifest: MANIFEST.OP.journal]')
            [CompletionResult]::new('--shard', '--shard', [CompletionResultType]::ParameterName, 'Take only the rows whose CustomID hashes to shard K of N (K from 0)')
            [CompletionResult]::new('--summary-json', '--summary-json', [CompletionResultType]::ParameterName, 'Also write the final summary as JSON to FILE')
            [CompletionResult]::new('--passes', '--passes', [CompletionResultType]::ParameterName, 'Passes in all: later passes re-send rows left pending by transient errors (1: off) [default: 3]')
            [CompletionResult]::new('--progress-interval', '--progress-interval', [CompletionResultType]::ParameterName, 'Status line interval when stderr is not a terminal (0 or off: none)')
            [CompletionResult]::new('--env', '--env', [CompletionResultType]::ParameterName, 'API environment: production, hml (homologation) or the built-in sandbox')
            [CompletionResult]::new('--endpoint', '--endpoint', [CompletionResultType]::ParameterName, 'Base URL of the API, overriding the environment''s (https, or http to loopback)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile of the config file to use')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/biopass/config.toml]')
            [CompletionResult]::new('--api-key-file', '--api-key-file', [CompletionResultType]::ParameterName, 'File holding the API key (mode 0600), or - to read it from standard input')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of results on stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of results on stdout')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Whole-request timeout, in seconds, 1ms to 1 day [default: 120]')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Connect timeout, in seconds, 1ms to 1 day [default: 10]')
            [CompletionResult]::new('--max-image-bytes', '--max-image-bytes', [CompletionResultType]::ParameterName, 'Largest image accepted, in bytes, at most 1 GiB [default: 10485760 (10 MiB)]')
            [CompletionResult]::new('--max-dimension', '--max-dimension', [CompletionResultType]::ParameterName, 'Downscale faces whose long side is larger to exactly PX (64-65535; off by default; never fingerprints)')
            [CompletionResult]::new('--face-check', '--face-check', [CompletionResultType]::ParameterName, 'The face gate on or off (true/false): the env BIOPASS_FACE_CHECK''s flag; --no-face-check is the one to type')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Extra trusted root certificate (PEM) for TLS')
            [CompletionResult]::new('--retry-failed', '--retry-failed', [CompletionResultType]::ParameterName, 'Also retry rows that failed permanently in an earlier run')
            [CompletionResult]::new('--skip-invalid', '--skip-invalid', [CompletionResultType]::ParameterName, 'Record invalid rows as invalid and run the rest (default: list them, send nothing)')
            [CompletionResult]::new('--accept-changed', '--accept-changed', [CompletionResultType]::ParameterName, 'Run rows whose content changed since the journal recorded them (default: refuse the run)')
            [CompletionResult]::new('--skip-existing', '--skip-existing', [CompletionResultType]::ParameterName, 'Count "CustomID already exists" as skipped rather than failed')
            [CompletionResult]::new('--keep-metadata', '--keep-metadata', [CompletionResultType]::ParameterName, 'Send images exactly as they are: no metadata removal, no turning upright, no downscaling (profile key keep_metadata)')
            [CompletionResult]::new('--no-face-check', '--no-face-check', [CompletionResultType]::ParameterName, 'Send faces the offline face gate refuses (no face, several faces, orientation unreadable); profile key face_check = false, env BIOPASS_FACE_CHECK=false')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log requests to stderr (method, URL, status, timing, sizes; never keys or images)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log requests to stderr (method, URL, status, timing, sizes; never keys or images)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the request that would be sent (key and images redacted) and send nothing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'biopass;delete' {
            [CompletionResult]::new('--id', '--id', [CompletionResultType]::ParameterName, 'The person''s CustomID')
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'Manifest of people: CSV with a header, JSON Lines, or a workbook; - reads standard input (with --format)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Manifest format [default: by extension: .csv, .tsv, .jsonl/.ndjson, .xlsx/.xlsm, .ods]')
            [CompletionResult]::new('--delimiter', '--delimiter', [CompletionResultType]::ParameterName, 'CSV delimiter: a character, or tab [default: Excel''s sep= line, else told from the header: , ; or tab]')
            [CompletionResult]::new('--encoding', '--encoding', [CompletionResultType]::ParameterName, 'CSV text encoding [default: told from the bytes: a BOM, else UTF-8, else windows-1252]')
            [CompletionResult]::new('--sheet', '--sheet', [CompletionResultType]::ParameterName, 'Workbook sheet to read [default: the first]')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'Concurrent requests [default: 4]')
            [CompletionResult]::new('--rate', '--rate', [CompletionResultType]::ParameterName, 'Requests per second across all jobs, at least 0.001 [default: unlimited]')
            [CompletionResult]::new('--journal', '--journal', [CompletionResultType]::ParameterName, 'Journal file [default: beside the manifest: MANIFEST.OP.journal]')
            [CompletionResult]::new('--shard', '--shard', [CompletionResultType]::ParameterName, 'Take only the rows whose CustomID hashes to shard K of N (K from 0)')
            [CompletionResult]::new('--summary-json', '--summary-json', [CompletionResultType]::ParameterName, 'Also write the final summary as JSON to FILE')
            [CompletionResult]::new('--passes', '--passes', [CompletionResultType]::ParameterName, 'Passes in all: later passes re-send rows left pending by transient errors (1: off) [default: 3]')
            [CompletionResult]::new('--progress-interval', '--progress-interval', [CompletionResultType]::ParameterName, 'Status line interval when stderr is not a terminal (0 or off: none)')
            [CompletionResult]::new('--env', '--env', [CompletionResultType]::ParameterName, 'API environment: production, hml (homologation) or the built-in sandbox')
            [CompletionResult]::new('--endpoint', '--endpoint', [CompletionResultType]::ParameterName, 'Base URL of the API, overriding the environment''s (https, or http to loopback)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile of the config file to use')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/biopass/config.toml]')
            [CompletionResult]::new('--api-key-file', '--api-key-file', [CompletionResultType]::ParameterName, 'File holding the API key (mode 0600), or - to read it from standard input')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of results on stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of results on stdout')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Whole-request timeout, in seconds, 1ms to 1 day [default: 120]')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Connect timeout, in seconds, 1ms to 1 day [default: 10]')
            [CompletionResult]::new('--max-image-bytes', '--max-image-bytes', [CompletionResultType]::ParameterName, 'Largest image accepted, in bytes, at most 1 GiB [default: 10485760 (10 MiB)]')
            [CompletionResult]::new('--max-dimension', '--max-dimension', [CompletionResultType]::ParameterName, 'Downscale faces whose long side is larger to exactly PX (64-65535; off by default; never fingerprints)')
            [CompletionResult]::new('--face-check', '--face-check', [CompletionResultType]::ParameterName, 'The face gate on or off (true/false): the env BIOPASS_FACE_CHECK''s flag; --no-face-check is the one to type')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Extra trusted root certificate (PEM) for TLS')
            [CompletionResult]::new('--retry-failed', '--retry-failed', [CompletionResultType]::ParameterName, 'Also retry rows that failed permanently in an earlier run')
            [CompletionResult]::new('--skip-invalid', '--skip-invalid', [CompletionResultType]::ParameterName, 'Record invalid rows as invalid and run the rest (default: list them, send nothing)')
            [CompletionResult]::new('--accept-changed', '--accept-changed', [CompletionResultType]::ParameterName, 'Run rows whose content changed since the journal recorded them (default: refuse the run)')
            [CompletionResult]::new('--skip-existing', '--skip-existing', [CompletionResultType]::ParameterName, 'Count "CustomID already exists" as skipped rather than failed')
            [CompletionResult]::new('--keep-metadata', '--keep-metadata', [CompletionResultType]::ParameterName, 'Send images exactly as they are: no metadata removal, no turning upright, no downscaling (profile key keep_metadata)')
            [CompletionResult]::new('--no-face-check', '--no-face-check', [CompletionResultType]::ParameterName, 'Send faces the offline face gate refuses (no face, several faces, orientation unreadable); profile key face_check = false, env BIOPASS_FACE_CHECK=false')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log requests to stderr (method, URL, status, timing, sizes; never keys or images)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log requests to stderr (method, URL, status, timing, sizes; never keys or images)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the request that would be sent (key and images redacted) and send nothing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'biopass;sandbox' {
            [CompletionResult]::new('--env', '--env', [CompletionResultType]::ParameterName, 'API environment: production, hml (homologation) or the built-in sandbox')
            [CompletionResult]::new('--endpoint', '--endpoint', [CompletionResultType]::ParameterName, 'Base URL of the API, overriding the environment''s (https, or http to loopback)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile of the config file to use')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/biopass/config.toml]')
            [CompletionResult]::new('--api-key-file', '--api-key-file', [CompletionResultType]::ParameterName, 'File holding the API key (mode 0600), or - to read it from standard input')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of results on stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of results on stdout')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Whole-request timeout, in seconds, 1ms to 1 day [default: 120]')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Connect timeout, in seconds, 1ms to 1 day [default: 10]')
            [CompletionResult]::new('--max-image-bytes', '--max-image-bytes', [CompletionResultType]::ParameterName, 'Largest image accepted, in bytes, at most 1 GiB [default: 10485760 (10 MiB)]')
            [CompletionResult]::new('--max-dimension', '--max-dimension', [CompletionResultType]::ParameterName, 'Downscale faces whose long side is larger to exactly PX (64-65535; off by default; never fingerprints)')
            [CompletionResult]::new('--face-check', '--face-check', [CompletionResultType]::ParameterName, 'The face gate on or off (true/false): the env BIOPASS_FACE_CHECK''s flag; --no-face-check is the one to type')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Extra trusted root certificate (PEM) for TLS')
            [CompletionResult]::new('--keep-metadata', '--keep-metadata', [CompletionResultType]::ParameterName, 'Send images exactly as they are: no metadata removal, no turning upright, no downscaling (profile key keep_metadata)')
            [CompletionResult]::new('--no-face-check', '--no-face-check', [CompletionResultType]::ParameterName, 'Send faces the offline face gate refuses (no face, several faces, orientation unreadable); profile key face_check = false, env BIOPASS_FACE_CHECK=false')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log requests to stderr (method, URL, status, timing, sizes; never keys or images)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log requests to stderr (method, URL, status, timing, sizes; never keys or images)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the request that would be sent (key and images redacted) and send nothing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Serve the emulator on 127.0.0.1 until Ctrl-C; prints its URL and key')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show the embedded sandbox''s state: its folder, people enrolled, size')
            [CompletionResult]::new('reset', 'reset', [CompletionResultType]::ParameterValue, 'Delete the embedded sandbox''s state, without asking (it is throwaway test data)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'biopass;sandbox;serve' {
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Port on 127.0.0.1 (0 picks a free one)')
            [CompletionResult]::new('--data', '--data', [CompletionResultType]::ParameterName, 'Keep state in this JSON file (image digests only) [default: in memory]')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'Subscription key the emulator accepts [default: biopass-sandbox-key]')
            [CompletionResult]::new('--seed', '--seed', [CompletionResultType]::ParameterName, 'Seed of the fault sequence (same seed and request order, same faults)')
            [CompletionResult]::new('--fail-503', '--fail-503', [CompletionResultType]::ParameterName, 'Share of requests answered 503 before acting (0-1)')
            [CompletionResult]::new('--fail-429', '--fail-429', [CompletionResultType]::ParameterName, 'Share of requests answered 429 with Retry-After before acting (0-1)')
            [CompletionResult]::new('--retry-after', '--retry-after', [CompletionResultType]::ParameterName, 'Retry-After sent with each 429, in seconds')
            [CompletionResult]::new('--reset', '--reset', [CompletionResultType]::ParameterName, 'Share of requests applied, then answered with a connection reset (0-1)')
            [CompletionResult]::new('--hang', '--hang', [CompletionResultType]::ParameterName, 'Share of requests applied, then answered only after --hang-ms (0-1)')
            [CompletionResult]::new('--hang-ms', '--hang-ms', [CompletionResultType]::ParameterName, 'How long a hung response is held, in milliseconds')
            [CompletionResult]::new('--latency-ms', '--latency-ms', [CompletionResultType]::ParameterName, 'Latency added to every person-operation response, in milliseconds')
            [CompletionResult]::new('--env', '--env', [CompletionResultType]::ParameterName, 'API environment: production, hml (homologation) or the built-in sandbox')
            [CompletionResult]::new('--endpoint', '--endpoint', [CompletionResultType]::ParameterName, 'Base URL of the API, overriding the environment''s (https, or http to loopback)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile of the config file to use')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/biopass/config.toml]')
            [CompletionResult]::new('--api-key-file', '--api-key-file', [CompletionResultType]::ParameterName, 'File holding the API key (mode 0600), or - to read it from standard input')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of results on stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of results on stdout')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Whole-request timeout, in seconds, 1ms to 1 day [default: 120]')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Connect timeout, in seconds, 1ms to 1 day [default: 10]')
            [CompletionResult]::new('--max-image-bytes', '--max-image-bytes', [CompletionResultType]::ParameterName, 'Largest image accepted, in bytes, at most 1 GiB [default: 10485760 (10 MiB)]')
            [CompletionResult]::new('--max-dimension', '--max-dimension', [CompletionResultType]::ParameterName, 'Downscale faces whose long side is larger to exactly PX (64-65535; off by default; never fingerprints)')
            [CompletionResult]::new('--face-check', '--face-check', [CompletionResultType]::ParameterName, 'The face gate on or off (true/false): the env BIOPASS_FACE_CHECK''s flag; --no-face-check is the one to type')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Extra trusted root certificate (PEM) for TLS')
            [CompletionResult]::new('--keep-metadata', '--keep-metadata', [CompletionResultType]::ParameterName, 'Send images exactly as they are: no metadata removal, no turning upright, no downscaling (profile key keep_metadata)')
            [CompletionResult]::new('--no-face-check', '--no-face-check', [CompletionResultType]::ParameterName, 'Send faces the offline face gate refuses (no face, several faces, orientation unreadable); profile key face_check = false, env BIOPASS_FACE_CHECK=false')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log requests to stderr (method, URL, status, timing, sizes; never keys or images)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log requests to stderr (method, URL, status, timing, sizes; never keys or images)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the request that would be sent (key and images redacted) and send nothing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'biopass;sandbox;status' {
            [CompletionResult]::new('--env', '--env', [CompletionResultType]::ParameterName, 'API environment: production, hml (homologation) or the built-in sandbox')
            [CompletionResult]::new('--endpoint', '--endpoint', [CompletionResultType]::ParameterName, 'Base URL of the API, overriding the environment''s (https, or http to loopback)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile of the config file to use')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/biopass/config.toml]')
            [CompletionResult]::new('--api-key-file', '--api-key-file', [CompletionResultType]::ParameterName, 'File holding the API key (mode 0600), or - to read it from standard input')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of results on stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of results on stdout')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Whole-request timeout, in seconds, 1ms to 1 day [default: 120]')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Connect timeout, in seconds, 1ms to 1 day [default: 10]')
            [CompletionResult]::new('--max-image-bytes', '--max-image-bytes', [CompletionResultType]::ParameterName, 'Largest image accepted, in bytes, at most 1 GiB [default: 10485760 (10 MiB)]')
            [CompletionResult]::new('--max-dimension', '--max-dimension', [CompletionResultType]::ParameterName, 'Downscale faces whose long side is larger to exactly PX (64-65535; off by default; never fingerprints)')
            [CompletionResult]::new('--face-check', '--face-check', [CompletionResultType]::ParameterName, 'The face gate on or off (true/false): the env BIOPASS_FACE_CHECK''s flag; --no-face-check is the one to type')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Extra trusted root certificate (PEM) for TLS')
            [CompletionResult]::new('--keep-metadata', '--keep-metadata', [CompletionResultType]::ParameterName, 'Send images exactly as they are: no metadata removal, no turning upright, no downscaling (profile key keep_metadata)')
            [CompletionResult]::new('--no-face-check', '--no-face-check', [CompletionResultType]::ParameterName, 'Send faces the offline face gate refuses (no face, several faces, orientation unreadable); profile key face_check = false, env BIOPASS_FACE_CHECK=false')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log requests to stderr (method, URL, status, timing, sizes; never keys or images)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log requests to stderr (method, URL, status, timing, sizes; never keys or images)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the request that would be sent (key and images redacted) and send nothing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'biopass;sandbox;reset' {
            [CompletionResult]::new('--env', '--env', [CompletionResultType]::ParameterName, 'API environment: production, hml (homologation) or the built-in sandbox')
            [CompletionResult]::new('--endpoint', '--endpoint', [CompletionResultType]::ParameterName, 'Base URL of the API, overriding the environment''s (https, or http to loopback)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile of the config file to use')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/biopass/config.toml]')
            [CompletionResult]::new('--api-key-file', '--api-key-file', [CompletionResultType]::ParameterName, 'File holding the API key (mode 0600), or - to read it from standard input')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of results on stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of results on stdout')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Whole-request timeout, in seconds, 1ms to 1 day [default: 120]')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Connect timeout, in seconds, 1ms to 1 day [default: 10]')
            [CompletionResult]::new('--max-image-bytes', '--max-image-bytes', [CompletionResultType]::ParameterName, 'Largest image accepted, in bytes, at most 1 GiB [default: 10485760 (10 MiB)]')
            [CompletionResult]::new('--max-dimension', '--max-dimension', [CompletionResultType]::ParameterName, 'Downscale faces whose long side is larger to exactly PX (64-65535; off by default; never fingerprints)')
            [CompletionResult]::new('--face-check', '--face-check', [CompletionResultType]::ParameterName, 'The face gate on or off (true/false): the env BIOPASS_FACE_CHECK''s flag; --no-face-check is the one to type')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Extra trusted root certificate (PEM) for TLS')
            [CompletionResult]::new('--keep-metadata', '--keep-metadata', [CompletionResultType]::ParameterName, 'Send images exactly as they are: no metadata removal, no turning upright, no downscaling (profile key keep_metadata)')
            [CompletionResult]::new('--no-face-check', '--no-face-check', [CompletionResultType]::ParameterName, 'Send faces the offline face gate refuses (no face, several faces, orientation unreadable); profile key face_check = false, env BIOPASS_FACE_CHECK=false')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log requests to stderr (method, URL, status, timing, sizes; never keys or images)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log requests to stderr (method, URL, status, timing, sizes; never keys or images)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the request that would be sent (key and images redacted) and send nothing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'biopass;sandbox;help' {
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Serve the emulator on 127.0.0.1 until Ctrl-C; prints its URL and key')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show the embedded sandbox''s state: its folder, people enrolled, size')
            [CompletionResult]::new('reset', 'reset', [CompletionResultType]::ParameterValue, 'Delete the embedded sandbox''s state, without asking (it is throwaway test data)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'biopass;sandbox;help;serve' {
            break
        }
        'biopass;sandbox;help;status' {
            break
        }
        'biopass;sandbox;help;reset' {
            break
        }
        'biopass;sandbox;help;help' {
            break
        }
        'biopass;config' {
            [CompletionResult]::new('--env', '--env', [CompletionResultType]::ParameterName, 'API environment: production, hml (homologation) or the built-in sandbox')
            [CompletionResult]::new('--endpoint', '--endpoint', [CompletionResultType]::ParameterName, 'Base URL of the API, overriding the environment''s (https, or http to loopback)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile of the config file to use')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/biopass/config.toml]')
            [CompletionResult]::new('--api-key-file', '--api-key-file', [CompletionResultType]::ParameterName, 'File holding the API key (mode 0600), or - to read it from standard input')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of results on stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of results on stdout')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Whole-request timeout, in seconds, 1ms to 1 day [default: 120]')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Connect timeout, in seconds, 1ms to 1 day [default: 10]')
            [CompletionResult]::new('--max-image-bytes', '--max-image-bytes', [CompletionResultType]::ParameterName, 'Largest image accepted, in bytes, at most 1 GiB [default: 10485760 (10 MiB)]')
            [CompletionResult]::new('--max-dimension', '--max-dimension', [CompletionResultType]::ParameterName, 'Downscale faces whose long side is larger to exactly PX (64-65535; off by default; never fingerprints)')
            [CompletionResult]::new('--face-check', '--face-check', [CompletionResultType]::ParameterName, 'The face gate on or off (true/false): the env BIOPASS_FACE_CHECK''s flag; --no-face-check is the one to type')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Extra trusted root certificate (PEM) for TLS')
            [CompletionResult]::new('--keep-metadata', '--keep-metadata', [CompletionResultType]::ParameterName, 'Send images exactly as they are: no metadata removal, no turning upright, no downscaling (profile key keep_metadata)')
            [CompletionResult]::new('--no-face-check', '--no-face-check', [CompletionResultType]::ParameterName, 'Send faces the offline face gate refuses (no face, several faces, orientation unreadable); profile key face_check = false, env BIOPASS_FACE_CHECK=false')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log requests to stderr (method, URL, status, timing, sizes; never keys or images)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log requests to stderr (method, URL, status, timing, sizes; never keys or images)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the request that would be sent (key and images redacted) and send nothing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('path', 'path', [CompletionResultType]::ParameterValue, 'Print the path of the config file in use')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print every effective setting and where it came from (key masked)')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Write a starter config file (mode 0600); never prompts')
            [CompletionResult]::new('set-key', 'set-key', [CompletionResultType]::ParameterValue, 'Store the API key, read from standard input, in a 0600 file beside the config file and point the profile''s api_key_file at it (--profile chooses the profile)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'biopass;config;path' {
            [CompletionResult]::new('--env', '--env', [CompletionResultType]::ParameterName, 'API environment: production, hml (homologation) or the built-in sandbox')
            [CompletionResult]::new('--endpoint', '--endpoint', [CompletionResultType]::ParameterName, 'Base URL of the API, overriding the environment''s (https, or http to loopback)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile of the config file to use')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/biopass/config.toml]')
            [CompletionResult]::new('--api-key-file', '--api-key-file', [CompletionResultType]::ParameterName, 'File holding the API key (mode 0600), or - to read it from standard input')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of results on stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of results on stdout')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Whole-request timeout, in seconds, 1ms to 1 day [default: 120]')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Connect timeout, in seconds, 1ms to 1 day [default: 10]')
            [CompletionResult]::new('--max-image-bytes', '--max-image-bytes', [CompletionResultType]::ParameterName, 'Largest image accepted, in bytes, at most 1 GiB [default: 10485760 (10 MiB)]')
            [CompletionResult]::new('--max-dimension', '--max-dimension', [CompletionResultType]::ParameterName, 'Downscale faces whose long side is larger to exactly PX (64-65535; off by default; never fingerprints)')
            [CompletionResult]::new('--face-check', '--face-check', [CompletionResultType]::ParameterName, 'The face gate on or off (true/false): the env BIOPASS_FACE_CHECK''s flag; --no-face-check is the one to type')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Extra trusted root certificate (PEM) for TLS')
            [CompletionResult]::new('--keep-metadata', '--keep-metadata', [CompletionResultType]::ParameterName, 'Send images exactly as they are: no metadata removal, no turning upright, no downscaling (profile key keep_metadata)')
            [CompletionResult]::new('--no-face-check', '--no-face-check', [CompletionResultType]::ParameterName, 'Send faces the offline face gate refuses (no face, several faces, orientation unreadable); profile key face_check = false, env BIOPASS_FACE_CHECK=false')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log requests to stderr (method, URL, status, timing, sizes; never keys or images)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log requests to stderr (method, URL, status, timing, sizes; never keys or images)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the request that would be sent (key and images redacted) and send nothing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'biopass;config;show' {
            [CompletionResult]::new('--env', '--env', [CompletionResultType]::ParameterName, 'API environment: production, hml (homologation) or the built-in sandbox')
            [CompletionResult]::new('--endpoint', '--endpoint', [CompletionResultType]::ParameterName, 'Base URL of the API, overriding the environment''s (https, or http to loopback)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile of the config file to use')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/biopass/config.toml]')
            [CompletionResult]::new('--api-key-file', '--api-key-file', [CompletionResultType]::ParameterName, 'File holding the API key (mode 0600), or - to read it from standard input')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of results on stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of results on stdout')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Whole-request timeout, in seconds, 1ms to 1 day [default: 120]')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Connect timeout, in seconds, 1ms to 1 day [default: 10]')
            [CompletionResult]::new('--max-image-bytes', '--max-image-bytes', [CompletionResultType]::ParameterName, 'Largest image accepted, in bytes, at most 1 GiB [default: 10485760 (10 MiB)]')
            [CompletionResult]::new('--max-dimension', '--max-dimension', [CompletionResultType]::ParameterName, 'Downscale faces whose long side is larger to exactly PX (64-65535; off by default; never fingerprints)')
            [CompletionResult]::new('--face-check', '--face-check', [CompletionResultType]::ParameterName, 'The face gate on or off (true/false): the env BIOPASS_FACE_CHECK''s flag; --no-face-check is the one to type')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Extra trusted root certificate (PEM) for TLS')
            [CompletionResult]::new('--keep-metadata', '--keep-metadata', [CompletionResultType]::ParameterName, 'Send images exactly as they are: no metadata removal, no turning upright, no downscaling (profile key keep_metadata)')
            [CompletionResult]::new('--no-face-check', '--no-face-check', [CompletionResultType]::ParameterName, 'Send faces the offline face gate refuses (no face, several faces, orientation unreadable); profile key face_check = false, env BIOPASS_FACE_CHECK=false')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log requests to stderr (method, URL, status, timing, sizes; never keys or images)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log requests to stderr (method, URL, status, timing, sizes; never keys or images)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the request that would be sent (key and images redacted) and send nothing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'biopass;config;init' {
            [CompletionResult]::new('--env', '--env', [CompletionResultType]::ParameterName, 'API environment: production, hml (homologation) or the built-in sandbox')
            [CompletionResult]::new('--endpoint', '--endpoint', [CompletionResultType]::ParameterName, 'Base URL of the API, overriding the environment''s (https, or http to loopback)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile of the config file to use')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/biopass/config.toml]')
            [CompletionResult]::new('--api-key-file', '--api-key-file', [CompletionResultType]::ParameterName, 'File holding the API key (mode 0600), or - to read it from standard input')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of results on stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of results on stdout')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Whole-request timeout, in seconds, 1ms to 1 day [default: 120]')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Connect timeout, in seconds, 1ms to 1 day [default: 10]')
            [CompletionResult]::new('--max-image-bytes', '--max-image-bytes', [CompletionResultType]::ParameterName, 'Largest image accepted, in bytes, at most 1 GiB [default: 10485760 (10 MiB)]')
            [CompletionResult]::new('--max-dimension', '--max-dimension', [CompletionResultType]::ParameterName, 'Downscale faces whose long side is larger to exactly PX (64-65535; off by default; never fingerprints)')
            [CompletionResult]::new('--face-check', '--face-check', [CompletionResultType]::ParameterName, 'The face gate on or off (true/false): the env BIOPASS_FACE_CHECK''s flag; --no-face-check is the one to type')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Extra trusted root certificate (PEM) for TLS')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Overwrite an existing file')
            [CompletionResult]::new('--keep-metadata', '--keep-metadata', [CompletionResultType]::ParameterName, 'Send images exactly as they are: no metadata removal, no turning upright, no downscaling (profile key keep_metadata)')
            [CompletionResult]::new('--no-face-check', '--no-face-check', [CompletionResultType]::ParameterName, 'Send faces the offline face gate refuses (no face, several faces, orientation unreadable); profile key face_check = false, env BIOPASS_FACE_CHECK=false')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log requests to stderr (method, URL, status, timing, sizes; never keys or images)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log requests to stderr (method, URL, status, timing, sizes; never keys or images)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the request that would be sent (key and images redacted) and send nothing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'biopass;config;set-key' {
            [CompletionResult]::new('--env', '--env', [CompletionResultType]::ParameterName, 'API environment: production, hml (homologation) or the built-in sandbox')
            [CompletionResult]::new('--endpoint', '--endpoint', [CompletionResultType]::ParameterName, 'Base URL of the API, overriding the environment''s (https, or http to loopback)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile of the config file to use')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/biopass/config.toml]')
            [CompletionResult]::new('--api-key-file', '--api-key-file', [CompletionResultType]::ParameterName, 'File holding the API key (mode 0600), or - to read it from standard input')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of results on stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of results on stdout')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Whole-request timeout, in seconds, 1ms to 1 day [default: 120]')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Connect timeout, in seconds, 1ms to 1 day [default: 10]')
            [CompletionResult]::new('--max-image-bytes', '--max-image-bytes', [CompletionResultType]::ParameterName, 'Largest image accepted, in bytes, at most 1 GiB [default: 10485760 (10 MiB)]')
            [CompletionResult]::new('--max-dimension', '--max-dimension', [CompletionResultType]::ParameterName, 'Downscale faces whose long side is larger to exactly PX (64-65535; off by default; never fingerprints)')
            [CompletionResult]::new('--face-check', '--face-check', [CompletionResultType]::ParameterName, 'The face gate on or off (true/false): the env BIOPASS_FACE_CHECK''s flag; --no-face-check is the one to type')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Extra trusted root certificate (PEM) for TLS')
            [CompletionResult]::new('--keep-metadata', '--keep-metadata', [CompletionResultType]::ParameterName, 'Send images exactly as they are: no metadata removal, no turning upright, no downscaling (profile key keep_metadata)')
            [CompletionResult]::new('--no-face-check', '--no-face-check', [CompletionResultType]::ParameterName, 'Send faces the offline face gate refuses (no face, several faces, orientation unreadable); profile key face_check = false, env BIOPASS_FACE_CHECK=false')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log requests to stderr (method, URL, status, timing, sizes; never keys or images)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log requests to stderr (method, URL, status, timing, sizes; never keys or images)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the request that would be sent (key and images redacted) and send nothing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'biopass;config;help' {
            [CompletionResult]::new('path', 'path', [CompletionResultType]::ParameterValue, 'Print the path of the config file in use')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print every effective setting and where it came from (key masked)')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Write a starter config file (mode 0600); never prompts')
            [CompletionResult]::new('set-key', 'set-key', [CompletionResultType]::ParameterValue, 'Store the API key, read from standard input, in a 0600 file beside the config file and point the profile''s api_key_file at it (--profile chooses the profile)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'biopass;config;help;path' {
            break
        }
        'biopass;config;help;show' {
            break
        }
        'biopass;config;help;init' {
            break
        }
        'biopass;config;help;set-key' {
            break
        }
        'biopass;config;help;help' {
            break
        }
        'biopass;report' {
            [CompletionResult]::new('--env', '--env', [CompletionResultType]::ParameterName, 'API environment: production, hml (homologation) or the built-in sandbox')
            [CompletionResult]::new('--endpoint', '--endpoint', [CompletionResultType]::ParameterName, 'Base URL of the API, overriding the environment''s (https, or http to loopback)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile of the config file to use')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/biopass/config.toml]')
            [CompletionResult]::new('--api-key-file', '--api-key-file', [CompletionResultType]::ParameterName, 'File holding the API key (mode 0600), or - to read it from standard input')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of results on stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of results on stdout')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Whole-request timeout, in seconds, 1ms to 1 day [default: 120]')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Connect timeout, in seconds, 1ms to 1 day [default: 10]')
            [CompletionResult]::new('--max-image-bytes', '--max-image-bytes', [CompletionResultType]::ParameterName, 'Largest image accepted, in bytes, at most 1 GiB [default: 10485760 (10 MiB)]')
            [CompletionResult]::new('--max-dimension', '--max-dimension', [CompletionResultType]::ParameterName, 'Downscale faces whose long side is larger to exactly PX (64-65535; off by default; never fingerprints)')
            [CompletionResult]::new('--face-check', '--face-check', [CompletionResultType]::ParameterName, 'The face gate on or off (true/false): the env BIOPASS_FACE_CHECK''s flag; --no-face-check is the one to type')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Extra trusted root certificate (PEM) for TLS')
            [CompletionResult]::new('--keep-metadata', '--keep-metadata', [CompletionResultType]::ParameterName, 'Send images exactly as they are: no metadata removal, no turning upright, no downscaling (profile key keep_metadata)')
            [CompletionResult]::new('--no-face-check', '--no-face-check', [CompletionResultType]::ParameterName, 'Send faces the offline face gate refuses (no face, several faces, orientation unreadable); profile key face_check = false, env BIOPASS_FACE_CHECK=false')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log requests to stderr (method, URL, status, timing, sizes; never keys or images)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log requests to stderr (method, URL, status, timing, sizes; never keys or images)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the request that would be sent (key and images redacted) and send nothing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'biopass;check' {
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'Check every image of a manifest (faces and fingers by their columns)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Manifest format [default: by extension: .csv, .tsv, .jsonl/.ndjson, .xlsx/.xlsm, .ods]')
            [CompletionResult]::new('--delimiter', '--delimiter', [CompletionResultType]::ParameterName, 'CSV delimiter: a character, or tab [default: Excel''s sep= line, else told from the header: , ; or tab]')
            [CompletionResult]::new('--encoding', '--encoding', [CompletionResultType]::ParameterName, 'CSV text encoding [default: told from the bytes: a BOM, else UTF-8, else windows-1252]')
            [CompletionResult]::new('--sheet', '--sheet', [CompletionResultType]::ParameterName, 'Workbook sheet to read [default: the first]')
            [CompletionResult]::new('--env', '--env', [CompletionResultType]::ParameterName, 'API environment: production, hml (homologation) or the built-in sandbox')
            [CompletionResult]::new('--endpoint', '--endpoint', [CompletionResultType]::ParameterName, 'Base URL of the API, overriding the environment''s (https, or http to loopback)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile of the config file to use')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/biopass/config.toml]')
            [CompletionResult]::new('--api-key-file', '--api-key-file', [CompletionResultType]::ParameterName, 'File holding the API key (mode 0600), or - to read it from standard input')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of results on stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of results on stdout')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Whole-request timeout, in seconds, 1ms to 1 day [default: 120]')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Connect timeout, in seconds, 1ms to 1 day [default: 10]')
            [CompletionResult]::new('--max-image-bytes', '--max-image-bytes', [CompletionResultType]::ParameterName, 'Largest image accepted, in bytes, at most 1 GiB [default: 10485760 (10 MiB)]')
            [CompletionResult]::new('--max-dimension', '--max-dimension', [CompletionResultType]::ParameterName, 'Downscale faces whose long side is larger to exactly PX (64-65535; off by default; never fingerprints)')
            [CompletionResult]::new('--face-check', '--face-check', [CompletionResultType]::ParameterName, 'The face gate on or off (true/false): the env BIOPASS_FACE_CHECK''s flag; --no-face-check is the one to type')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Extra trusted root certificate (PEM) for TLS')
            [CompletionResult]::new('--fingerprints', '--fingerprints', [CompletionResultType]::ParameterName, 'The FILEs are fingerprint scans: never re-encoded, checked for 500 dpi')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Face findings that only warn (FACE_TOO_SMALL, FACE_OFF_CENTRE, BLURRY, TOO_DARK, OVEREXPOSED) block too: exit 65')
            [CompletionResult]::new('--remote', '--remote', [CompletionResultType]::ParameterName, 'Also ask the service''s own quality checks (faces: face detect, ICAO, liveness; fingerprints: NFIQ); whether these calls are billed is not documented')
            [CompletionResult]::new('--keep-metadata', '--keep-metadata', [CompletionResultType]::ParameterName, 'Send images exactly as they are: no metadata removal, no turning upright, no downscaling (profile key keep_metadata)')
            [CompletionResult]::new('--no-face-check', '--no-face-check', [CompletionResultType]::ParameterName, 'Send faces the offline face gate refuses (no face, several faces, orientation unreadable); profile key face_check = false, env BIOPASS_FACE_CHECK=false')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log requests to stderr (method, URL, status, timing, sizes; never keys or images)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log requests to stderr (method, URL, status, timing, sizes; never keys or images)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the request that would be sent (key and images redacted) and send nothing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'biopass;doctor' {
            [CompletionResult]::new('--env', '--env', [CompletionResultType]::ParameterName, 'API environment: production, hml (homologation) or the built-in sandbox')
            [CompletionResult]::new('--endpoint', '--endpoint', [CompletionResultType]::ParameterName, 'Base URL of the API, overriding the environment''s (https, or http to loopback)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile of the config file to use')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/biopass/config.toml]')
            [CompletionResult]::new('--api-key-file', '--api-key-file', [CompletionResultType]::ParameterName, 'File holding the API key (mode 0600), or - to read it from standard input')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of results on stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of results on stdout')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Whole-request timeout, in seconds, 1ms to 1 day [default: 120]')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Connect timeout, in seconds, 1ms to 1 day [default: 10]')
            [CompletionResult]::new('--max-image-bytes', '--max-image-bytes', [CompletionResultType]::ParameterName, 'Largest image accepted, in bytes, at most 1 GiB [default: 10485760 (10 MiB)]')
            [CompletionResult]::new('--max-dimension', '--max-dimension', [CompletionResultType]::ParameterName, 'Downscale faces whose long side is larger to exactly PX (64-65535; off by default; never fingerprints)')
            [CompletionResult]::new('--face-check', '--face-check', [CompletionResultType]::ParameterName, 'The face gate on or off (true/false): the env BIOPASS_FACE_CHECK''s flag; --no-face-check is the one to type')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Extra trusted root certificate (PEM) for TLS')
            [CompletionResult]::new('--keep-metadata', '--keep-metadata', [CompletionResultType]::ParameterName, 'Send images exactly as they are: no metadata removal, no turning upright, no downscaling (profile key keep_metadata)')
            [CompletionResult]::new('--no-face-check', '--no-face-check', [CompletionResultType]::ParameterName, 'Send faces the offline face gate refuses (no face, several faces, orientation unreadable); profile key face_check = false, env BIOPASS_FACE_CHECK=false')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log requests to stderr (method, URL, status, timing, sizes; never keys or images)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log requests to stderr (method, URL, status, timing, sizes; never keys or images)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the request that would be sent (key and images redacted) and send nothing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'biopass;completions' {
            [CompletionResult]::new('--env', '--env', [CompletionResultType]::ParameterName, 'API environment: production, hml (homologation) or the built-in sandbox')
            [CompletionResult]::new('--endpoint', '--endpoint', [CompletionResultType]::ParameterName, 'Base URL of the API, overriding the environment''s (https, or http to loopback)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile of the config file to use')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/biopass/config.toml]')
            [CompletionResult]::new('--api-key-file', '--api-key-file', [CompletionResultType]::ParameterName, 'File holding the API key (mode 0600), or - to read it from standard input')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of results on stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of results on stdout')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Whole-request timeout, in seconds, 1ms to 1 day [default: 120]')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Connect timeout, in seconds, 1ms to 1 day [default: 10]')
            [CompletionResult]::new('--max-image-bytes', '--max-image-bytes', [CompletionResultType]::ParameterName, 'Largest image accepted, in bytes, at most 1 GiB [default: 10485760 (10 MiB)]')
            [CompletionResult]::new('--max-dimension', '--max-dimension', [CompletionResultType]::ParameterName, 'Downscale faces whose long side is larger to exactly PX (64-65535; off by default; never fingerprints)')
            [CompletionResult]::new('--face-check', '--face-check', [CompletionResultType]::ParameterName, 'The face gate on or off (true/false): the env BIOPASS_FACE_CHECK''s flag; --no-face-check is the one to type')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Extra trusted root certificate (PEM) for TLS')
            [CompletionResult]::new('--keep-metadata', '--keep-metadata', [CompletionResultType]::ParameterName, 'Send images exactly as they are: no metadata removal, no turning upright, no downscaling (profile key keep_metadata)')
            [CompletionResult]::new('--no-face-check', '--no-face-check', [CompletionResultType]::ParameterName, 'Send faces the offline face gate refuses (no face, several faces, orientation unreadable); profile key face_check = false, env BIOPASS_FACE_CHECK=false')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log requests to stderr (method, URL, status, timing, sizes; never keys or images)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log requests to stderr (method, URL, status, timing, sizes; never keys or images)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the request that would be sent (key and images redacted) and send nothing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'biopass;man' {
            [CompletionResult]::new('--env', '--env', [CompletionResultType]::ParameterName, 'API environment: production, hml (homologation) or the built-in sandbox')
            [CompletionResult]::new('--endpoint', '--endpoint', [CompletionResultType]::ParameterName, 'Base URL of the API, overriding the environment''s (https, or http to loopback)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile of the config file to use')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file [default: <config dir>/biopass/config.toml]')
            [CompletionResult]::new('--api-key-file', '--api-key-file', [CompletionResultType]::ParameterName, 'File holding the API key (mode 0600), or - to read it from standard input')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of results on stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of results on stdout')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Whole-request timeout, in seconds, 1ms to 1 day [default: 120]')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Connect timeout, in seconds, 1ms to 1 day [default: 10]')
            [CompletionResult]::new('--max-image-bytes', '--max-image-bytes', [CompletionResultType]::ParameterName, 'Largest image accepted, in bytes, at most 1 GiB [default: 10485760 (10 MiB)]')
            [CompletionResult]::new('--max-dimension', '--max-dimension', [CompletionResultType]::ParameterName, 'Downscale faces whose long side is larger to exactly PX (64-65535; off by default; never fingerprints)')
            [CompletionResult]::new('--face-check', '--face-check', [CompletionResultType]::ParameterName, 'The face gate on or off (true/false): the env BIOPASS_FACE_CHECK''s flag; --no-face-check is the one to type')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Extra trusted root certificate (PEM) for TLS')
            [CompletionResult]::new('--keep-metadata', '--keep-metadata', [CompletionResultType]::ParameterName, 'Send images exactly as they are: no metadata removal, no turning upright, no downscaling (profile key keep_metadata)')
            [CompletionResult]::new('--no-face-check', '--no-face-check', [CompletionResultType]::ParameterName, 'Send faces the offline face gate refuses (no face, several faces, orientation unreadable); profile key face_check = false, env BIOPASS_FACE_CHECK=false')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log requests to stderr (method, URL, status, timing, sizes; never keys or images)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log requests to stderr (method, URL, status, timing, sizes; never keys or images)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the request that would be sent (key and images redacted) and send nothing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'biopass;help' {
            [CompletionResult]::new('enroll', 'enroll', [CompletionResultType]::ParameterValue, 'Enroll a person (prints the BioPassID), or many with --from')
            [CompletionResult]::new('update', 'update', [CompletionResultType]::ParameterValue, 'Replace a person''s images (prints the BioPassID), or many with --from')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Verify a person 1:1; prints "match" (exit 0) or "no match" (exit 1), or many with --from')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete a person (prints the CustomID), or many with --from')
            [CompletionResult]::new('sandbox', 'sandbox', [CompletionResultType]::ParameterValue, 'Run the local BioPassID emulator, or inspect and reset the embedded one')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Inspect or create the configuration file')
            [CompletionResult]::new('report', 'report', [CompletionResultType]::ParameterValue, 'List every row a batch journal knows, across all runs, with how it ended')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Check images before sending (format, size, orientation, metadata); sends nothing')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Check settings, key, DNS, connection, TLS and that the key is accepted; enrolls nobody')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the manual page (roff), for a man folder or `man -l -`')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'biopass;help;enroll' {
            break
        }
        'biopass;help;update' {
            break
        }
        'biopass;help;verify' {
            break
        }
        'biopass;help;delete' {
            break
        }
        'biopass;help;sandbox' {
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Serve the emulator on 127.0.0.1 until Ctrl-C; prints its URL and key')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show the embedded sandbox''s state: its folder, people enrolled, size')
            [CompletionResult]::new('reset', 'reset', [CompletionResultType]::ParameterValue, 'Delete the embedded sandbox''s state, without asking (it is throwaway test data)')
            break
        }
        'biopass;help;sandbox;serve' {
            break
        }
        'biopass;help;sandbox;status' {
            break
        }
        'biopass;help;sandbox;reset' {
            break
        }
        'biopass;help;config' {
            [CompletionResult]::new('path', 'path', [CompletionResultType]::ParameterValue, 'Print the path of the config file in use')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print every effective setting and where it came from (key masked)')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Write a starter config file (mode 0600); never prompts')
            [CompletionResult]::new('set-key', 'set-key', [CompletionResultType]::ParameterValue, 'Store the API key, read from standard input, in a 0600 file beside the config file and point the profile''s api_key_file at it (--profile chooses the profile)')
            break
        }
        'biopass;help;config;path' {
            break
        }
        'biopass;help;config;show' {
            break
        }
        'biopass;help;config;init' {
            break
        }
        'biopass;help;config;set-key' {
            break
        }
        'biopass;help;report' {
            break
        }
        'biopass;help;check' {
            break
        }
        'biopass;help;doctor' {
            break
        }
        'biopass;help;completions' {
            break
        }
        'biopass;help;man' {
            break
        }
        'biopass;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
