#!/bin/sh
# Upload the built site to any static host over ssh. Described in docs/deploy.md.
#
#   make site && deploy/rsync.sh user@host:/var/www/referater/
#
# Files the build did not change keep their modification time, so rsync's quick check (size and mtime)
# skips them and only what changed is sent. --delay-updates renames the new files into place together
# at the end; --delete-delay removes old files only after that, so readers rarely see a half-updated site.
set -eu

src=${SRC:-output/}
dest=${1:?usage: deploy/rsync.sh user@host:/path/to/site/ [extra rsync options]}
shift

if [ ! -f "${src%/}/index.html" ]; then
    echo "deploy/rsync.sh: no built site in ${src} (run: make site)" >&2
    exit 1
fi

exec rsync --archive --delete-delay --delay-updates --itemize-changes --stats "$@" "${src%/}/" "$dest"
