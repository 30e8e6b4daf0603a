#!/bin/bash
# `nanoos sdimage`, judged by independent tools: fsck.fat -n on the
# partition after every change, mtools reading what we wrote (and we reading
# what mtools wrote), cmp and diff -r for the bytes. Each check counts.
set -u
BUILD=${BUILD:-build}
N="$BUILD/bin/nanoos"
export MTOOLS_SKIP_CHECK=1
OFF=1048576                      # the partition starts at 1 MiB

if [ ! -x "$N" ]; then
	echo "sdimage: $N is missing: run 'make' first"
	echo "SUITE sdimage: 0 passed, 1 failed"
	exit 1
fi
N=$(realpath "$N")
for tool in fsck.fat mcopy mdir; do
	if ! command -v "$tool" >/dev/null; then
		echo "sdimage: $tool is missing: run packaging/install-deps.sh"
		echo "SUITE sdimage: 0 passed, 1 failed"
		exit 1
	fi
done

T=$(mktemp -d)
holder=
cleanup() {
	[ -n "$holder" ] && kill "$holder" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
cd "$T" || exit 1

passed=0
failed=0
ok()  { passed=$((passed + 1)); echo "ok:     $1"; }
bad() { failed=$((failed + 1)); echo "FAILED: $1"; [ -s err ] && sed 's/^/        /' err; }
# check NAME COMMAND...: the command must succeed (its stderr goes to ./err)
check() { local name=$1; shift; if "$@" 2>err >/dev/null; then ok "$name"; else bad "$name"; fi; }
# fails NAME PATTERN COMMAND...: must exit 1 with PATTERN in its stderr
fails() {
	local name=$1 pat=$2 rc; shift 2
	"$@" >/dev/null 2>err; rc=$?
	if [ "$rc" -eq 1 ] && grep -q -- "$pat" err; then ok "$name"; else
		echo "        exit $rc, stderr:"; bad "$name"; fi
}
# fsck_clean IMG [bare]: fsck.fat -n finds nothing on the volume
fsck_clean() {
	if [ "${2:-}" = bare ]; then cp "$1" part; else
		dd if="$1" of=part bs=512 skip=2048 status=none; fi
	fsck.fat -n part >fsck.out 2>&1
}
fsck_step() { if fsck_clean "$1"; then ok "fsck.fat -n clean after $2"; else
	cat fsck.out >err; bad "fsck.fat -n clean after $2"; fi; }
# mfile IMG PATH: a file's bytes as mtools reads them
mfile() { mcopy -n -i "$1@@$OFF" "::$2" -; }
# info_field IMG REGEX: the FAT type etc. from `info`
fat_of() { "$N" sdimage info "$1" 2>/dev/null | sed -n 's/^filesystem: \(FAT[0-9]*\),.*/\1/p'; }
free_bytes() {  # what `info` says is free, in bytes
	"$N" sdimage info "$1" | awk '/^filesystem:/ { c = $4 + 0; f = $8; sub(/\(/, "", f)
		print c * f }'
}

head -c 3145728 /dev/urandom >big3m
head -c 1048576 /dev/urandom >big1m
head -c 5000000 /dev/urandom >huge

# ---------------------------------------------------------------- create
for spec in "fat12.img 4M 0 FAT12" "fat16.img 64M 0 FAT16" "fat32.img 64M 32 FAT32"; do
	set -- $spec
	img=$1 size=$2 fat=$3 want=$4
	if [ "$fat" = 0 ]; then
		check "create $img ($size)" "$N" sdimage create "$img" --size "$size" --label NANOOS
	else
		check "create $img ($size, --fat $fat)" "$N" sdimage create "$img" --size "$size" \
			--fat "$fat" --label NANOOS
	fi
	got=$(fat_of "$img")
	if [ "$got" = "$want" ]; then ok "$img is $want"; else echo "        info says '$got'" >err
		bad "$img is $want"; fi
	fsck_step "$img" "create $img"
	check "mdir reads $img" mdir -i "$img@@$OFF" ::
	if mdir -i "$img@@$OFF" :: 2>/dev/null | grep -q 'Volume in drive : is NANOOS'; then
		ok "mtools sees the label of $img"; else bad "mtools sees the label of $img"; fi
done

# ---------------------------------------------------------------- put / get / cat
for img in fat12.img fat16.img fat32.img; do
	data=big3m
	[ "$img" = fat12.img ] && data=big1m
	before=$(free_bytes "$img")
	check "put $data into $img" "$N" sdimage put "$img" "$data" /big
	if mfile "$img" /big 2>err | cmp -s - "$data"; then ok "mcopy reads /big of $img byte-equal"
	else bad "mcopy reads /big of $img byte-equal"; fi
	after=$(free_bytes "$img")
	if [ -n "$before" ] && [ -n "$after" ] && [ "$after" -lt "$before" ]; then
		ok "free space shrinks after put ($before -> $after)"
	else echo "        before '$before' after '$after'" >err; bad "free space shrinks after put"; fi
	mfree=$(mdir -i "$img@@$OFF" :: 2>/dev/null | awk '/bytes free/ { gsub(/[^0-9]/, ""); print }')
	if [ "$after" = "$mfree" ]; then ok "info's free bytes agree with mdir ($mfree)"
	else echo "        info '$after', mdir '$mfree'" >err; bad "info's free bytes agree with mdir"; fi
	check "mkdir -p nested dirs on $img" "$N" sdimage mkdir -p "$img" "/Top Dir/Sub.Dir/A Very Long Mixed-Case Directory Name"
	check "mkdir -p again is fine" "$N" sdimage mkdir -p "$img" "/Top Dir/Sub.Dir"
	echo "hello, FAT" >small.txt
	check "put into a directory keeps the name" "$N" sdimage put "$img" small.txt "/Top Dir/Sub.Dir/A Very Long Mixed-Case Directory Name"
	check "put a file under a long mixed-case name" "$N" sdimage put "$img" small.txt "/Top Dir/ReadMe Mixed Case.Text"
	if mfile "$img" "/Top Dir/Sub.Dir/A Very Long Mixed-Case Directory Name/small.txt" 2>err | cmp -s - small.txt \
	   && mfile "$img" "/Top Dir/ReadMe Mixed Case.Text" 2>>err | cmp -s - small.txt; then
		ok "mcopy reads the tree's files on $img"
	else bad "mcopy reads the tree's files on $img"; fi
	if mdir -i "$img@@$OFF" "::/Top Dir" 2>err | grep -q 'ReadMe Mixed Case.Text'; then
		ok "mtools shows the long mixed-case name"; else bad "mtools shows the long mixed-case name"; fi
	fsck_step "$img" "put and mkdir on $img"

	# What mtools wrote, we read.
	head -c 200000 /dev/urandom >"m-$img.bin"
	cp "m-$img.bin" m.bin
	mmd -i "$img@@$OFF" "::/From Mtools" 2>err
	mcopy -i "$img@@$OFF" m.bin "::/From Mtools/Written By MCopy.bin" 2>>err
	if "$N" sdimage cat "$img" "/from mtools/written by mcopy.bin" 2>>err | cmp -s - m.bin; then
		ok "cat reads mcopy's file (case-blind lookup)"; else bad "cat reads mcopy's file (case-blind lookup)"; fi
	rm -f got.bin
	check "get mcopy's file" "$N" sdimage get "$img" "/From Mtools/Written By MCopy.bin" got.bin
	if cmp -s got.bin m.bin; then ok "get gives mcopy's bytes"; else bad "get gives mcopy's bytes"; fi
	rm -f got.bin
	"$N" sdimage get "$img" /big got.bin 2>err
	if cmp -s got.bin "$data"; then ok "get /big round trip"; else bad "get /big round trip"; fi
done

# ---------------------------------------------------------------- ls
img=fat16.img
"$N" sdimage ls "$img" >ls.out 2>err
if grep -qx 'big' ls.out && grep -qx 'Top Dir' ls.out && grep -qx 'From Mtools' ls.out; then
	ok "ls shows the root's names"; else cat ls.out >>err; bad "ls shows the root's names"; fi
"$N" sdimage ls -l "$img" >ls.out 2>err
if grep -Eq '^-rw +3145728 [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8} big$' ls.out &&
   grep -Eq '^drw +0 .* Top Dir$' ls.out; then
	ok "ls -l shows flags, size, date and name"; else cat ls.out >>err; bad "ls -l shows flags, size, date and name"; fi
"$N" sdimage ls -R "$img" >ls.out 2>err
if grep -qx '/Top Dir/Sub.Dir/A Very Long Mixed-Case Directory Name:' ls.out &&
   grep -qx 'small.txt' ls.out; then
	ok "ls -R walks the tree"; else cat ls.out >>err; bad "ls -R walks the tree"; fi
"$N" sdimage ls -l "$img" /big >ls.out 2>err
if grep -q ' 3145728 .*/big$' ls.out; then ok "ls -l of a file"; else bad "ls -l of a file"; fi

# ---------------------------------------------------------------- mv, rm, rmdir
check "mv a file across directories" "$N" sdimage mv "$img" /big "/Top Dir/Moved Big.bin"
if mfile "$img" "/Top Dir/Moved Big.bin" 2>err | cmp -s - big3m && ! mfile "$img" /big >/dev/null 2>&1; then
	ok "mtools sees the move"; else bad "mtools sees the move"; fi
fsck_step "$img" "mv"
check "mv a directory" "$N" sdimage mv "$img" "/From Mtools" "/Top Dir/Renamed Dir"
if "$N" sdimage cat "$img" "/Top Dir/Renamed Dir/Written By MCopy.bin" 2>err | cmp -s - "m-$img.bin"; then
	ok "a moved directory keeps its files"; else bad "a moved directory keeps its files"; fi
fsck_step "$img" "mv of a directory"
check "rm a file" "$N" sdimage rm "$img" "/Top Dir/Moved Big.bin"
fsck_step "$img" "rm"
fails "rm of a directory needs -r" "rm -r" "$N" sdimage rm "$img" "/Top Dir"
fails "rmdir of a full directory" "not empty" "$N" sdimage rmdir "$img" "/Top Dir"
check "mkdir and rmdir an empty directory" bash -c "'$N' sdimage mkdir '$img' /Empty && '$N' sdimage rmdir '$img' /Empty"
fsck_step "$img" "rmdir"
check "rm -r a tree" "$N" sdimage rm -r "$img" "/Top Dir"
fsck_step "$img" "rm -r"
"$N" sdimage ls "$img" >ls.out 2>err
if [ ! -s ls.out ]; then ok "the root is empty again"; else cat ls.out >>err; bad "the root is empty again"; fi
used=$(mdir -i "$img@@$OFF" :: 2>/dev/null | awk '/bytes free/ { gsub(/[^0-9]/, ""); print }')
if [ "$(free_bytes "$img")" = "$used" ]; then ok "all space back, mdir agrees"; else bad "all space back, mdir agrees"; fi
"$N" sdimage df "$img" >df.out 2>err
if awk 'NR == 2 && $5 == "0%" && $6 == "FAT16" { f = 1 } END { exit !f }' df.out; then
	ok "df of an empty volume says 0%"; else cat df.out >>err; bad "df of an empty volume says 0%"; fi
"$N" sdimage put "$img" big3m /b >/dev/null 2>&1
"$N" sdimage df "$img" >df.out 2>err
if awk 'NR == 2 && $3 ~ /^3\.[0-9]M$/ && $5 == "5%" { f = 1 } END { exit !f }' df.out; then
	ok "df's used grows after a 3 MiB put"; else cat df.out >>err; bad "df's used grows after a 3 MiB put"; fi

# ---------------------------------------------------------------- put -r, get -r, --rootfs
mkdir -p tree/etc "tree/home/User Name/Deep/Deeper/Deepest" tree/empty-dir
echo "root:x:0:0" >tree/etc/passwd
head -c 70000 /dev/urandom >"tree/home/User Name/Deep/Deeper/Deepest/Some Data.bin"
: >tree/zero-length
for i in $(seq 1 30); do echo "$i" >"tree/home/File Number $i.txt"; done
check "create --rootfs" "$N" sdimage create rootfs.img --size 64M --rootfs tree
fsck_step rootfs.img "create --rootfs"
rm -rf ext && mcopy -s -n -i "rootfs.img@@$OFF" "::/" ext 2>err
if diff -r tree ext >diff.out 2>&1; then ok "mcopy -s extracts the --rootfs tree intact"
else cat diff.out >>err; bad "mcopy -s extracts the --rootfs tree intact"; fi
rm -rf ext2
check "get -r the whole volume" "$N" sdimage get -r rootfs.img / ext2
if diff -r tree ext2 >diff.out 2>&1; then ok "get -r gives the tree back"
else cat diff.out >err; bad "get -r gives the tree back"; fi
check "put -r a tree into a directory" "$N" sdimage put -r fat32.img tree /
if "$N" sdimage cat fat32.img "/tree/home/User Name/Deep/Deeper/Deepest/Some Data.bin" 2>err |
   cmp -s - "tree/home/User Name/Deep/Deeper/Deepest/Some Data.bin"; then
	ok "put -r copied the deep file"; else bad "put -r copied the deep file"; fi
fsck_step fat32.img "put -r"

# ---------------------------------------------------------------- errors
cp fat16.img keep.img
sum=$(md5sum <keep.img)
fails "create over an existing file needs --force" "force" "$N" sdimage create keep.img --size 4M
if [ "$(md5sum <keep.img)" = "$sum" ]; then ok "the existing file is unchanged"; else bad "the existing file is unchanged"; fi
check "create --force overwrites" "$N" sdimage create keep.img --size 4M --force
[ "$(fat_of keep.img)" = FAT12 ] && ok "the overwritten image is new" || bad "the overwritten image is new"
fails "cat of a missing path names it" "/No/Such File" "$N" sdimage cat fat16.img "/No/Such File"
fails "put of a missing host file names it" "no-such-host-file" "$N" sdimage put fat16.img no-such-host-file /x
fails "a volume that is full" "volume is full" "$N" sdimage put fat12.img huge /huge
fsck_step fat12.img "a failed put (ENOSPC)"
if ! "$N" sdimage ls fat12.img 2>/dev/null | grep -qx huge; then ok "no half file after ENOSPC"
else bad "no half file after ENOSPC"; fi
head -c 4194304 /dev/urandom >random.img
fails "random bytes are no FAT volume" "sdimage create" "$N" sdimage ls random.img
fails "a missing image" "no-such.img" "$N" sdimage ls no-such.img
# Hold fat16.img: cat blocks writing into a pipe nobody reads.
mkfifo hold.fifo
( "$N" sdimage cat fat16.img /b >hold.fifo 2>/dev/null ) &
holder=$!
exec 9<hold.fifo                # open the reader, never read: cat stalls
sleep 0.5
fails "a second opener is told who holds the image" "in use by pid .*sdimage cat" \
	"$N" sdimage ls fat16.img
exec 9<&-
wait "$holder" 2>/dev/null
holder=
check "the image is free again after the holder ends" "$N" sdimage ls fat16.img

# ---------------------------------------------------------------- fsck
check "fsck: a clean volume exits 0" "$N" sdimage fsck fat16.img
if "$N" sdimage fsck fat16.img 2>err | grep -q ': clean:'; then
	ok "fsck says clean"; else bad "fsck says clean"; fi
cp fat16.img dirty.img
printf '\x01' | dd of=dirty.img bs=1 seek=$((1048576 + 37)) conv=notrunc status=none
cp dirty.img dirty-before.img
"$N" sdimage fsck dirty.img >out 2>err; rc=$?
[ "$rc" -eq 1 ] && ok "fsck: a dirty volume exits 1" || bad "fsck: a dirty volume exits 1 (got $rc)"
grep -q "problem found; repair with .*fsck --repair" out && ok "fsck names the repair" ||
	bad "fsck names the repair"
cmp -s dirty.img dirty-before.img && ok "fsck without --repair changes nothing" ||
	bad "fsck without --repair changes nothing"
check "fsck --repair exits 0" "$N" sdimage fsck --repair dirty.img
check "fsck after the repair is clean" "$N" sdimage fsck dirty.img
if fsck_clean dirty.img fat16; then ok "fsck.fat -n agrees after our repair"
else cat fsck.out >err; bad "fsck.fat -n agrees after our repair"; fi
# A volume left dirty is repaired when a verb that writes opens it.
cp dirty-before.img dirty2.img
check "put on a dirty volume" "$N" sdimage put dirty2.img big1m /after-crash.bin
if fsck_clean dirty2.img fat16; then ok "a dirty volume is repaired at mount"
else cat fsck.out >err; bad "a dirty volume is repaired at mount"; fi
"$N" nosuchverb >/dev/null 2>err
[ $? -eq 2 ] && grep -q nosuchverb err && ok "an unknown verb exits 2" || bad "an unknown verb exits 2"
"$N" sdimage nosuchverb >/dev/null 2>err
[ $? -eq 2 ] && ok "an unknown sdimage verb exits 2" || bad "an unknown sdimage verb exits 2"
check "nanoos --help" "$N" --help
check "nanoos sdimage --help" "$N" sdimage --help

# ---------------------------------------------------------------- bare
check "create --bare" "$N" sdimage create bare.img --size 8M --bare
check "put into a bare image" "$N" sdimage put bare.img big1m "/Bare File.bin"
if mcopy -n -i bare.img "::/Bare File.bin" - 2>err | cmp -s - big1m; then
	ok "mtools reads the bare image without an offset"; else bad "mtools reads the bare image without an offset"; fi
if "$N" sdimage info bare.img 2>err | grep -q '^partition:  none'; then
	ok "info says bare"; else bad "info says bare"; fi
if fsck_clean bare.img bare; then ok "fsck.fat -n clean on the bare image"
else cat fsck.out >err; bad "fsck.fat -n clean on the bare image"; fi

echo "SUITE sdimage: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
