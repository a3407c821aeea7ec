#!/bin/sh
# generate.sh SRC DEST: every SRC/*.txt becomes DEST/<name>.html, plus DEST/index.html
# linking them. The markup is a small markdown-ish subset turned into HTML with sed:
#   "# Title" -> <h1>, "## Sub" -> <h2>, "- item" -> <li>, "*word*" -> <em>, other lines -> <p>.
set -e
src=$1
dest=$2
mkdir -p "$dest"

page() {
  title=$1
  printf '<!doctype html>\n<html><head><meta charset="utf-8"><title>%s</title></head>\n<body>\n' "$title"
  cat
  printf '</body></html>\n'
}

index_items=''
for f in "$src"/*.txt; do
  name=$(basename "$f" .txt)
  title=$(sed -n 's/^# //p' "$f" | head -n 1)
  sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g' \
      -e 's/\*\([^*][^*]*\)\*/<em>\1<\/em>/g' \
      -e 's/^## \(.*\)$/<h2>\1<\/h2>/' \
      -e 's/^# \(.*\)$/<h1>\1<\/h1>/' \
      -e 's/^- \(.*\)$/<li>\1<\/li>/' \
      -e '/^<[hl]/!s/^\(..*\)$/<p>\1<\/p>/' \
      "$f" | page "$title" > "$dest/$name.html"
  index_items="$index_items<li><a href=\"$name.html\">$title</a></li>
"
done

printf '%s' "$index_items" | page 'Site index' > "$dest/index.html"
echo "generated $(ls "$dest" | wc -l) pages in $dest"
