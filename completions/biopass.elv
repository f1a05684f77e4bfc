
use builtin;
use str;

set edit:completion:arg-completer[biopass] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'biopass'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'biopass'= {
            cand --env 'API environment: production, hml (homologation) or the built-in sandbox'
            cand --endpoint 'Base URL of the API, overriding the environment''s (https, or http to loopback)'
            cand --profile 'Profile of the config file to use'
            cand --config 'Config file [default: <config dir>/biopass/config.toml]'
            cand --api-key-file 'File holding the API key (mode 0600), or - to read it from standard input'
            cand -o 'Output format of results on stdout'
            cand --output 'Output format of results on stdout'
            cand --timeout 'Whole-request timeout, in seconds, 1ms to 1 day [default: 120]'
            cand --connect-timeout 'Connect timeout, in seconds, 1ms to 1 day [default: 10]'
            cand --max-image-bytes 'Largest image accepted, in bytes, at most 1 GiB [default: 10485760 (10 MiB)]'
            cand --ca-cert 'Extra trusted root certificate (PEM) for TLS'
            cand -v 'Log requests to stderr (method, URL, status, timing, sizes; never keys or images)'
            cand --verbose 'Log requests to stderr (method, URL, status, timing, sizes; never keys or images)'
            cand -q 'Print nothing on stderr but errors'
            cand --quiet 'Print nothing on stderr but errors'
            cand --dry-run 'Print the request that would be sent (key and images redacted) and send nothing'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand enroll 'Enroll a person (prints the BioPassID), or many with --from'
            cand update 'Replace a person''s images (prints the BioPassID), or many with --from'
            cand verify 'Verify a person 1:1; prints "match" (exit 0) or "no match" (exit 1)'
            cand delete 'Delete a person (prints the CustomID), or many with --from'
            cand sandbox 'Run the local BioPassID emulator, or inspect and reset the embedded one'
            cand config 'Inspect or create the configuration file'
            cand completions 'Print a shell completion script'
            cand man 'Print the manual page (roff), for a man folder or `man -l -`'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'biopass;enroll'= {
            cand --id 'The person''s CustomID'
            cand --face 'Face image (JPEG, PNG, TIFF, BMP, WebP), or - for stdin; repeat for Face-2, ...'
            cand --finger 'Fingerprint: POS is 1-10 or right-thumb ... left-little; repeatable'
            cand --from 'Manifest of people: CSV with a header, or JSON Lines; - reads standard input'
            cand --format 'Manifest format [default: by extension: .csv, .tsv, .jsonl/.ndjson]'
            cand --delimiter 'CSV delimiter: a character, or tab [default: told from the header: , ; or tab]'
            cand --jobs 'Concurrent requests [default: 4]'
            cand --rate 'Requests per second across all jobs, at least 0.001 [default: unlimited]'
            cand --journal 'Journal file [default: beside the manifest: MANIFEST.OP.journal]'
            cand --shard 'Take only the rows whose CustomID hashes to shard K of N (K from 0)'
            cand --summary-json 'Also write the final summary as JSON to FILE'
            cand --env 'API environment: production, hml (homologation) or the built-in sandbox'
            cand --endpoint 'Base URL of the API, overriding the environment''s (https, or http to loopback)'
            cand --profile 'Profile of the config file to use'
            cand --config 'Config file [default: <config dir>/biopass/config.toml]'
            cand --api-key-file 'File holding the API key (mode 0600), or - to read it from standard input'
            cand -o 'Output format of results on stdout'
            cand --output 'Output format of results on stdout'
            cand --timeout 'Whole-request timeout, in seconds, 1ms to 1 day [default: 120]'
            cand --connect-timeout 'Connect timeout, in seconds, 1ms to 1 day [default: 10]'
            cand --max-image-bytes 'Largest image accepted, in bytes, at most 1 GiB [default: 10485760 (10 MiB)]'
            cand --ca-cert 'Extra trusted root certificate (PEM) for TLS'
            cand --retry-failed 'Also retry rows that failed permanently in an earlier run'
            cand --skip-invalid 'Record invalid rows as invalid and run the rest (default: list them, send nothing)'
            cand --skip-existing 'Count "CustomID already exists" as skipped rather than failed'
            cand --accept-changed 'Run rows whose content changed since the journal recorded them'
            cand -v 'Log requests to stderr (method, URL, status, timing, sizes; never keys or images)'
            cand --verbose 'Log requests to stderr (method, URL, status, timing, sizes; never keys or images)'
            cand -q 'Print nothing on stderr but errors'
            cand --quiet 'Print nothing on stderr but errors'
            cand --dry-run 'Print the request that would be sent (key and images redacted) and send nothing'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'biopass;update'= {
            cand --id 'The person''s CustomID'
            cand --face 'Face image (JPEG, PNG, TIFF, BMP, WebP), or - for stdin; repeat for Face-2, ...'
            cand --finger 'Fingerprint: POS is 1-10 or right-thumb ... left-little; repeatable'
            cand --from 'Manifest of people: CSV with a header, or JSON Lines; - reads standard input'
            cand --format 'Manifest format [default: by extension: .csv, .tsv, .jsonl/.ndjson]'
            cand --delimiter 'CSV delimiter: a character, or tab [default: told from the header: , ; or tab]'
            cand --jobs 'Concurrent requests [default: 4]'
            cand --rate 'Requests per second across all jobs, at least 0.001 [default: unlimited]'
            cand --journal 'Journal file [default: beside the manifest: MANIFEST.OP.journal]'
            cand --shard 'Take only the rows whose CustomID hashes to shard K of N (K from 0)'
            cand --summary-json 'Also write the final summary as JSON to FILE'
            cand --env 'API environment: production, hml (homologation) or the built-in sandbox'
            cand --endpoint 'Base URL of the API, overriding the environment''s (https, or http to loopback)'
            cand --profile 'Profile of the config file to use'
            cand --config 'Config file [default: <config dir>/biopass/config.toml]'
            cand --api-key-file 'File holding the API key (mode 0600), or - to read it from standard input'
            cand -o 'Output format of results on stdout'
            cand --output 'Output format of results on stdout'
            cand --timeout 'Whole-request timeout, in seconds, 1ms to 1 day [default: 120]'
            cand --connect-timeout 'Connect timeout, in seconds, 1ms to 1 day [default: 10]'
            cand --max-image-bytes 'Largest image accepted, in bytes, at most 1 GiB [default: 10485760 (10 MiB)]'
            cand --ca-cert 'Extra trusted root certificate (PEM) for TLS'
            cand --retry-failed 'Also retry rows that failed permanently in an earlier run'
            cand --skip-invalid 'Record invalid rows as invalid and run the rest (default: list them, send nothing)'
            cand --skip-existing 'Count "CustomID already exists" as skipped rather than failed'
            cand --accept-changed 'Run rows whose content changed since the journal recorded them'
            cand -v 'Log requests to stderr (method, URL, status, timing, sizes; never keys or images)'
            cand --verbose 'Log requests to stderr (method, URL, status, timing, sizes; never keys or images)'
            cand -q 'Print nothing on stderr but errors'
            cand --quiet 'Print nothing on stderr but errors'
            cand --dry-run 'Print the request that would be sent (key and images redacted) and send nothing'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'biopass;verify'= {
            cand --id 'The person''s CustomID'
            cand --face 'Face image (JPEG, PNG, TIFF, BMP, WebP), or - for stdin; repeat for Face-2, ...'
            cand --finger 'Fingerprint: POS is 1-10 or right-thumb ... left-little; repeatable'
            cand --env 'API environment: production, hml (homologation) or the built-in sandbox'
            cand --endpoint 'Base URL of the API, overriding the environment''s (https, or http to loopback)'
            cand --profile 'Profile of the config file to use'
            cand --config 'Config file [default: <config dir>/biopass/config.toml]'
            cand --api-key-file 'File holding the API key (mode 0600), or - to read it from standard input'
            cand -o 'Output format of results on stdout'
            cand --output 'Output format of results on stdout'
            cand --timeout 'Whole-request timeout, in seconds, 1ms to 1 day [default: 120]'
            cand --connect-timeout 'Connect timeout, in seconds, 1ms to 1 day [default: 10]'
            cand --max-image-bytes 'Largest image accepted, in bytes, at most 1 GiB [default: 10485760 (10 MiB)]'
            cand --ca-cert 'Extra trusted root certificate (PEM) for TLS'
            cand -v 'Log requests to stderr (method, URL, status, timing, sizes; never keys or images)'
            cand --verbose 'Log requests to stderr (method, URL, status, timing, sizes; never keys or images)'
            cand -q 'Print nothing on stderr but errors'
            cand --quiet 'Print nothing on stderr but errors'
            cand --dry-run 'Print the request that would be sent (key and images redacted) and send nothing'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'biopass;delete'= {
            cand --id 'The person''s CustomID'
            cand --from 'Manifest of people: CSV with a header, or JSON Lines; - reads standard input'
            cand --format 'Manifest format [default: by extension: .csv, .tsv, .jsonl/.ndjson]'
            cand --delimiter 'CSV delimiter: a character, or tab [default: told from the header: , ; or tab]'
            cand --jobs 'Concurrent requests [default: 4]'
            cand --rate 'Requests per second across all jobs, at least 0.001 [default: unlimited]'
            cand --journal 'Journal file [default: beside the manifest: MANIFEST.OP.journal]'
            cand --shard 'Take only the rows whose CustomID hashes to shard K of N (K from 0)'
            cand --summary-json 'Also write the final summary as JSON to FILE'
            cand --env 'API environment: production, hml (homologation) or the built-in sandbox'
            cand --endpoint 'Base URL of the API, overriding the environment''s (https, or http to loopback)'
            cand --profile 'Profile of the config file to use'
            cand --config 'Config file [default: <config dir>/biopass/config.toml]'
            cand --api-key-file 'File holding the API key (mode 0600), or - to read it from standard input'
            cand -o 'Output format of results on stdout'
            cand --output 'Output format of results on stdout'
            cand --timeout 'Whole-request timeout, in seconds, 1ms to 1 day [default: 120]'
            cand --connect-timeout 'Connect timeout, in seconds, 1ms to 1 day [default: 10]'
            cand --max-image-bytes 'Largest image accepted, in bytes, at most 1 GiB [default: 10485760 (10 MiB)]'
            cand --ca-cert 'Extra trusted root certificate (PEM) for TLS'
            cand --retry-failed 'Also retry rows that failed permanently in an earlier run'
            cand --skip-invalid 'Record invalid rows as invalid and run the rest (default: list them, send nothing)'
            cand --skip-existing 'Count "CustomID already exists" as skipped rather than failed'
            cand --accept-changed 'Run rows whose content changed since the journal recorded them'
            cand -v 'Log requests to stderr (method, URL, status, timing, sizes; never keys or images)'
            cand --verbose 'Log requests to stderr (method, URL, status, timing, sizes; never keys or images)'
            cand -q 'Print nothing on stderr but errors'
            cand --quiet 'Print nothing on stderr but errors'
            cand --dry-run 'Print the request that would be sent (key and images redacted) and send nothing'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'biopass;sandbox'= {
            cand --env 'API environment: production, hml (homologation) or the built-in sandbox'
            cand --endpoint 'Base URL of the API, overriding the environment''s (https, or http to loopback)'
            cand --profile 'Profile of the config file to use'
            cand --config 'Config file [default: <config dir>/biopass/config.toml]'
            cand --api-key-file 'File holding the API key (mode 0600), or - to read it from standard input'
            cand -o 'Output format of results on stdout'
            cand --output 'Output format of results on stdout'
            cand --timeout 'Whole-request timeout, in seconds, 1ms to 1 day [default: 120]'
            cand --connect-timeout 'Connect timeout, in seconds, 1ms to 1 day [default: 10]'
            cand --max-image-bytes 'Largest image accepted, in bytes, at most 1 GiB [default: 10485760 (10 MiB)]'
            cand --ca-cert 'Extra trusted root certificate (PEM) for TLS'
            cand -v 'Log requests to stderr (method, URL, status, timing, sizes; never keys or images)'
            cand --verbose 'Log requests to stderr (method, URL, status, timing, sizes; never keys or images)'
            cand -q 'Print nothing on stderr but errors'
            cand --quiet 'Print nothing on stderr but errors'
            cand --dry-run 'Print the request that would be sent (key and images redacted) and send nothing'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand serve 'Serve the emulator on 127.0.0.1 until Ctrl-C; prints its URL and key'
            cand status 'Show the embedded sandbox''s state: its folder, people enrolled, size'
            cand reset 'Delete the embedded sandbox''s state, without asking (it is throwaway test data)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'biopass;sandbox;serve'= {
            cand --port 'Port on 127.0.0.1 (0 picks a free one)'
            cand --data 'Keep state in this JSON file (image digests only) [default: in memory]'
            cand --key 'Subscription key the emulator accepts [default: biopass-sandbox-key]'
            cand --seed 'Seed of the fault sequence (same seed and request order, same faults)'
            cand --fail-503 'Share of requests answered 503 before acting (0-1)'
            cand --fail-429 'Share of requests answered 429 with Retry-After before acting (0-1)'
            cand --retry-after 'Retry-After sent with each 429, in seconds'
            cand --reset 'Share of requests applied, then answered with a connection reset (0-1)'
            cand --hang 'Share of requests applied, then answered only after --hang-ms (0-1)'
            cand --hang-ms 'How long a hung response is held, in milliseconds'
            cand --latency-ms 'Latency added to every person-operation response, in milliseconds'
            cand --env 'API environment: production, hml (homologation) or the built-in sandbox'
            cand --endpoint 'Base URL of the API, overriding the environment''s (https, or http to loopback)'
            cand --profile 'Profile of the config file to use'
            cand --config 'Config file [default: <config dir>/biopass/config.toml]'
            cand --api-key-file 'File holding the API key (mode 0600), or - to read it from standard input'
            cand -o 'Output format of results on stdout'
            cand --output 'Output format of results on stdout'
            cand --timeout 'Whole-request timeout, in seconds, 1ms to 1 day [default: 120]'
            cand --connect-timeout 'Connect timeout, in seconds, 1ms to 1 day [default: 10]'
            cand --max-image-bytes 'Largest image accepted, in bytes, at most 1 GiB [default: 10485760 (10 MiB)]'
            cand --ca-cert 'Extra trusted root certificate (PEM) for TLS'
            cand -v 'Log requests to stderr (method, URL, status, timing, sizes; never keys or images)'
            cand --verbose 'Log requests to stderr (method, URL, status, timing, sizes; never keys or images)'
            cand -q 'Print nothing on stderr but errors'
            cand --quiet 'Print nothing on stderr but errors'
            cand --dry-run 'Print the request that would be sent (key and images redacted) and send nothing'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'biopass;sandbox;status'= {
            cand --env 'API environment: production, hml (homologation) or the built-in sandbox'
            cand --endpoint 'Base URL of the API, overriding the environment''s (https, or http to loopback)'
            cand --profile 'Profile of the config file to use'
            cand --config 'Config file [default: <config dir>/biopass/config.toml]'
            cand --api-key-file 'File holding the API key (mode 0600), or - to read it from standard input'
            cand -o 'Output format of results on stdout'
            cand --output 'Output format of results on stdout'
            cand --timeout 'Whole-request timeout, in seconds, 1ms to 1 day [default: 120]'
            cand --connect-timeout 'Connect timeout, in seconds, 1ms to 1 day [default: 10]'
            cand --max-image-bytes 'Largest image accepted, in bytes, at most 1 GiB [default: 10485760 (10 MiB)]'
            cand --ca-cert 'Extra trusted root certificate (PEM) for TLS'
            cand -v 'Log requests to stderr (method, URL, status, timing, sizes; never keys or images)'
            cand --verbose 'Log requests to stderr (method, URL, status, timing, sizes; never keys or images)'
            cand -q 'Print nothing on stderr but errors'
            cand --quiet 'Print nothing on stderr but errors'
            cand --dry-run 'Print the request that would be sent (key and images redacted) and send nothing'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'biopass;sandbox;reset'= {
            cand --env 'API environment: production, hml (homologation) or the built-in sandbox'
            cand --endpoint 'Base URL of the API, overriding the environment''s (https, or http to loopback)'
            cand --profile 'Profile of the config file to use'
            cand --config 'Config file [default: <config dir>/biopass/config.toml]'
            cand --api-key-file 'File holding the API key (mode 0600), or - to read it from standard input'
            cand -o 'Output format of results on stdout'
            cand --output 'Output format of results on stdout'
            cand --timeout 'Whole-request timeout, in seconds, 1ms to 1 day [default: 120]'
            cand --connect-timeout 'Connect timeout, in seconds, 1ms to 1 day [default: 10]'
            cand --max-image-bytes 'Largest image accepted, in bytes, at most 1 GiB [default: 10485760 (10 MiB)]'
            cand --ca-cert 'Extra trusted root certificate (PEM) for TLS'
            cand -v 'Log requests to stderr (method, URL, status, timing, sizes; never keys or images)'
            cand --verbose 'Log requests to stderr (method, URL, status, timing, sizes; never keys or images)'
            cand -q 'Print nothing on stderr but errors'
            cand --quiet 'Print nothing on stderr but errors'
            cand --dry-run 'Print the request that would be sent (key and images redacted) and send nothing'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'biopass;sandbox;help'= {
            cand serve 'Serve the emulator on 127.0.0.1 until Ctrl-C; prints its URL and key'
            cand status 'Show the embedded sandbox''s state: its folder, people enrolled, size'
            cand reset 'Delete the embedded sandbox''s state, without asking (it is throwaway test data)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'biopass;sandbox;help;serve'= {
        }
        &'biopass;sandbox;help;status'= {
        }
        &'biopass;sandbox;help;reset'= {
        }
        &'biopass;sandbox;help;help'= {
        }
        &'biopass;config'= {
            cand --env 'API environment: production, hml (homologation) or the built-in sandbox'
            cand --endpoint 'Base URL of the API, overriding the environment''s (https, or http to loopback)'
            cand --profile 'Profile of the config file to use'
            cand --config 'Config file [default: <config dir>/biopass/config.toml]'
            cand --api-key-file 'File holding the API key (mode 0600), or - to read it from standard input'
            cand -o 'Output format of results on stdout'
            cand --output 'Output format of results on stdout'
            cand --timeout 'Whole-request timeout, in seconds, 1ms to 1 day [default: 120]'
            cand --connect-timeout 'Connect timeout, in seconds, 1ms to 1 day [default: 10]'
            cand --max-image-bytes 'Largest image accepted, in bytes, at most 1 GiB [default: 10485760 (10 MiB)]'
            cand --ca-cert 'Extra trusted root certificate (PEM) for TLS'
            cand -v 'Log requests to stderr (method, URL, status, timing, sizes; never keys or images)'
            cand --verbose 'Log requests to stderr (method, URL, status, timing, sizes; never keys or images)'
            cand -q 'Print nothing on stderr but errors'
            cand --quiet 'Print nothing on stderr but errors'
            cand --dry-run 'Print the request that would be sent (key and images redacted) and send nothing'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand path 'Print the path of the config file in use'
            cand show 'Print every effective setting and where it came from (key masked)'
            cand init 'Write a starter config file (mode 0600); never prompts'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'biopass;config;path'= {
            cand --env 'API environment: production, hml (homologation) or the built-in sandbox'
            cand --endpoint 'Base URL of the API, overriding the environment''s (https, or http to loopback)'
            cand --profile 'Profile of the config file to use'
            cand --config 'Config file [default: <config dir>/biopass/config.toml]'
            cand --api-key-file 'File holding the API key (mode 0600), or - to read it from standard input'
            cand -o 'Output format of results on stdout'
            cand --output 'Output format of results on stdout'
            cand --timeout 'Whole-request timeout, in seconds, 1ms to 1 day [default: 120]'
            cand --connect-timeout 'Connect timeout, in seconds, 1ms to 1 day [default: 10]'
            cand --max-image-bytes 'Largest image accepted, in bytes, at most 1 GiB [default: 10485760 (10 MiB)]'
            cand --ca-cert 'Extra trusted root certificate (PEM) for TLS'
            cand -v 'Log requests to stderr (method, URL, status, timing, sizes; never keys or images)'
            cand --verbose 'Log requests to stderr (method, URL, status, timing, sizes; never keys or images)'
            cand -q 'Print nothing on stderr but errors'
            cand --quiet 'Print nothing on stderr but errors'
            cand --dry-run 'Print the request that would be sent (key and images redacted) and send nothing'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'biopass;config;show'= {
            cand --env 'API environment: production, hml (homologation) or the built-in sandbox'
            cand --endpoint 'Base URL of the API, overriding the environment''s (https, or http to loopback)'
            cand --profile 'Profile of the config file to use'
            cand --config 'Config file [default: <config dir>/biopass/config.toml]'
            cand --api-key-file 'File holding the API key (mode 0600), or - to read it from standard input'
            cand -o 'Output format of results on stdout'
            cand --output 'Output format of results on stdout'
            cand --timeout 'Whole-request timeout, in seconds, 1ms to 1 day [default: 120]'
            cand --connect-timeout 'Connect timeout, in seconds, 1ms to 1 day [default: 10]'
            cand --max-image-bytes 'Largest image accepted, in bytes, at most 1 GiB [default: 10485760 (10 MiB)]'
            cand --ca-cert 'Extra trusted root certificate (PEM) for TLS'
            cand -v 'Log requests to stderr (method, URL, status, timing, sizes; never keys or images)'
            cand --verbose 'Log requests to stderr (method, URL, status, timing, sizes; never keys or images)'
            cand -q 'Print nothing on stderr but errors'
            cand --quiet 'Print nothing on stderr but errors'
            cand --dry-run 'Print the request that would be sent (key and images redacted) and send nothing'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'biopass;config;init'= {
            cand --env 'API environment: production, hml (homologation) or the built-in sandbox'
            cand --endpoint 'Base URL of the API, overriding the environment''s (https, or http to loopback)'
            cand --profile 'Profile of the config file to use'
            cand --config 'Config file [default: <config dir>/biopass/config.toml]'
            cand --api-key-file 'File holding the API key (mode 0600), or - to read it from standard input'
            cand -o 'Output format of results on stdout'
            cand --output 'Output format of results on stdout'
            cand --timeout 'Whole-request timeout, in seconds, 1ms to 1 day [default: 120]'
            cand --connect-timeout 'Connect timeout, in seconds, 1ms to 1 day [default: 10]'
            cand --max-image-bytes 'Largest image accepted, in bytes, at most 1 GiB [default: 10485760 (10 MiB)]'
            cand --ca-cert 'Extra trusted root certificate (PEM) for TLS'
            cand --force 'Overwrite an existing file'
            cand -v 'Log requests to stderr (method, URL, status, timing, sizes; never keys or images)'
            cand --verbose 'Log requests to stderr (method, URL, status, timing, sizes; never keys or images)'
            cand -q 'Print nothing on stderr but errors'
            cand --quiet 'Print nothing on stderr but errors'
            cand --dry-run 'Print the request that would be sent (key and images redacted) and send nothing'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'biopass;config;help'= {
            cand path 'Print the path of the config file in use'
            cand show 'Print every effective setting and where it came from (key masked)'
            cand init 'Write a starter config file (mode 0600); never prompts'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'biopass;config;help;path'= {
        }
        &'biopass;config;help;show'= {
        }
        &'biopass;config;help;init'= {
        }
        &'biopass;config;help;help'= {
        }
        &'biopass;completions'= {
            cand --env 'API environment: production, hml (homologation) or the built-in sandbox'
            cand --endpoint 'Base URL of the API, overriding the environment''s (https, or http to loopback)'
            cand --profile 'Profile of the config file to use'
            cand --config 'Config file [default: <config dir>/biopass/config.toml]'
            cand --api-key-file 'File holding the API key (mode 0600), or - to read it from standard input'
            cand -o 'Output format of results on stdout'
            cand --output 'Output format of results on stdout'
            cand --timeout 'Whole-request timeout, in seconds, 1ms to 1 day [default: 120]'
            cand --connect-timeout 'Connect timeout, in seconds, 1ms to 1 day [default: 10]'
            cand --max-image-bytes 'Largest image accepted, in bytes, at most 1 GiB [default: 10485760 (10 MiB)]'
            cand --ca-cert 'Extra trusted root certificate (PEM) for TLS'
            cand -v 'Log requests to stderr (method, URL, status, timing, sizes; never keys or images)'
            cand --verbose 'Log requests to stderr (method, URL, status, timing, sizes; never keys or images)'
            cand -q 'Print nothing on stderr but errors'
            cand --quiet 'Print nothing on stderr but errors'
            cand --dry-run 'Print the request that would be sent (key and images redacted) and send nothing'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'biopass;man'= {
            cand --env 'API environment: production, hml (homologation) or the built-in sandbox'
            cand --endpoint 'Base URL of the API, overriding the environment''s (https, or http to loopback)'
            cand --profile 'Profile of the config file to use'
            cand --config 'Config file [default: <config dir>/biopass/config.toml]'
            cand --api-key-file 'File holding the API key (mode 0600), or - to read it from standard input'
            cand -o 'Output format of results on stdout'
            cand --output 'Output format of results on stdout'
            cand --timeout 'Whole-request timeout, in seconds, 1ms to 1 day [default: 120]'
            cand --connect-timeout 'Connect timeout, in seconds, 1ms to 1 day [default: 10]'
            cand --max-image-bytes 'Largest image accepted, in bytes, at most 1 GiB [default: 10485760 (10 MiB)]'
            cand --ca-cert 'Extra trusted root certificate (PEM) for TLS'
            cand -v 'Log requests to stderr (method, URL, status, timing, sizes; never keys or images)'
            cand --verbose 'Log requests to stderr (method, URL, status, timing, sizes; never keys or images)'
            cand -q 'Print nothing on stderr but errors'
            cand --quiet 'Print nothing on stderr but errors'
            cand --dry-run 'Print the request that would be sent (key and images redacted) and send nothing'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'biopass;help'= {
            cand enroll 'Enroll a person (prints the BioPassID), or many with --from'
            cand update 'Replace a person''s images (prints the BioPassID), or many with --from'
            cand verify 'Verify a person 1:1; prints "match" (exit 0) or "no match" (exit 1)'
            cand delete 'Delete a person (prints the CustomID), or many with --from'
            cand sandbox 'Run the local BioPassID emulator, or inspect and reset the embedded one'
            cand config 'Inspect or create the configuration file'
            cand completions 'Print a shell completion script'
            cand man 'Print the manual page (roff), for a man folder or `man -l -`'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'biopass;help;enroll'= {
        }
        &'biopass;help;update'= {
        }
        &'biopass;help;verify'= {
        }
        &'biopass;help;delete'= {
        }
        &'biopass;help;sandbox'= {
            cand serve 'Serve the emulator on 127.0.0.1 until Ctrl-C; prints its URL and key'
            cand status 'Show the embedded sandbox''s state: its folder, people enrolled, size'
            cand reset 'Delete the embedded sandbox''s state, without asking (it is throwaway test data)'
        }
        &'biopass;help;sandbox;serve'= {
        }
        &'biopass;help;sandbox;status'= {
        }
        &'biopass;help;sandbox;reset'= {
        }
        &'biopass;help;config'= {
            cand path 'Print the path of the config file in use'
            cand show 'Print every effective setting and where it came from (key masked)'
            cand init 'Write a starter config file (mode 0600); never prompts'
        }
        &'biopass;help;config;path'= {
        }
        &'biopass;help;config;show'= {
        }
        &'biopass;help;config;init'= {
        }
        &'biopass;help;completions'= {
        }
        &'biopass;help;man'= {
        }
        &'biopass;help;help'= {
        }
    ]
    $completions[$command]
}
