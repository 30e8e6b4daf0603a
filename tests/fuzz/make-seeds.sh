#!/bin/bash
# Make the seed corpus of the FAT fuzz target: small images by mkfs.fat
# (FAT12, FAT16, FAT32), bare and with an MBR, holding files, long names and
# nested directories written by mtools -- the independent makers.
# Usage: tests/fuzz/make-seeds.sh DIR
set -euo pipefail
dir=$1
mkdir -p "$dir"
rm -f "$dir"/*.img     # mkfs.fat will not overwrite: start afresh
export MTOOLS_SKIP_CHECK=1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf 'hello from the seed\n' >"$tmp/hello.txt"
head -c 5000 /dev/zero | tr '\0' 'x' >"$tmp/Long File Name Of Some Length.txt"

populate() {  # populate IMG[@@OFFSET]
	mmd -i "$1" ::/dir ::/dir/sub
	mcopy -i "$1" "$tmp/hello.txt" ::/HELLO.TXT
	mcopy -i "$1" "$tmp/Long File Name Of Some Length.txt" ::/dir/
	mcopy -i "$1" "$tmp/hello.txt" ::/dir/sub/deep.txt
}

mkfs.fat -F 12 -C "$dir/fat12.img" 200 >/dev/null && populate "$dir/fat12.img"
mkfs.fat -F 16 -s 1 -C "$tmp/fat16.img" 4200 >/dev/null && populate "$tmp/fat16.img"
head -c $((1024 * 1024)) "$tmp/fat16.img" >"$dir/fat16.img"
# FAT32 needs 65525 clusters (~33 MiB); the target reads zeros past its
# input, so the seed keeps only the first 1 MiB: boot sectors, FATs, root.
mkfs.fat -F 32 -s 1 -C "$tmp/fat32.img" 34000 >/dev/null && populate "$tmp/fat32.img"
head -c $((1024 * 1024)) "$tmp/fat32.img" >"$dir/fat32.img"
# A card: MBR with one FAT12 partition at sector 63 (small enough to fuzz).
mkfs.fat -F 12 -C "$tmp/part.img" 200 >/dev/null && populate "$tmp/part.img"
head -c $((63 * 512)) /dev/zero >"$dir/card12.img"
cat "$tmp/part.img" >>"$dir/card12.img"
# Entry 1 at 446: type (offset 4) FAT12, LBA start 63, 400 sectors.
printf '\x01' | dd of="$dir/card12.img" bs=1 seek=450 conv=notrunc status=none
printf '\x3f\x00\x00\x00\x90\x01\x00\x00' |
	dd of="$dir/card12.img" bs=1 seek=454 conv=notrunc status=none
printf '\x55\xaa' | dd of="$dir/card12.img" bs=1 seek=510 conv=notrunc status=none
