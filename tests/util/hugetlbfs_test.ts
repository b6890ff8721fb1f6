// The host's hugetlbfs mounts as libvirt's virFileFindHugeTLBFS finds them: only hugetlbfs
// lines of /proc/mounts, each one's page size from the kernel's `pagesize=` option (K, M or G),
// the default one the mount of /proc/meminfo's Hugepagesize, octal escapes in paths decoded.
import assert from "node:assert/strict";
import { parseHugetlbfsMounts } from "../../util/hugetlbfs.ts";

Deno.test("hugetlbfs mounts: page sizes, the default one, escaped paths, other filesystems left out", () => {
  const mounts = [
    "proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0",
    "hugetlbfs /dev/hugepages hugetlbfs rw,relatime,pagesize=2M 0 0",
    "none /srv/huge\\040pages hugetlbfs rw,relatime,pagesize=1024M 0 0",
    "none /mnt/hp1g hugetlbfs rw,pagesize=1G,uid=0 0 0",
    "tmpfs /mnt/pagesize=2M tmpfs rw 0 0",
    "",
  ].join("\n");
  assert.deepEqual(parseHugetlbfsMounts(mounts, "MemTotal: 1 kB\nHugepagesize:       2048 kB\n"), [
    { dir: "/dev/hugepages", sizeKiB: 2048, deflt: true },
    { dir: "/srv/huge pages", sizeKiB: 1048576, deflt: false },
    { dir: "/mnt/hp1g", sizeKiB: 1048576, deflt: false },
  ]);
  // A mount that names no page size has the default one.
  assert.deepEqual(
    parseHugetlbfsMounts("none /hp hugetlbfs rw 0 0\n", "Hugepagesize: 1048576 kB\n"),
    [{ dir: "/hp", sizeKiB: 1048576, deflt: true }],
  );
  assert.deepEqual(parseHugetlbfsMounts("", "Hugepagesize: 2048 kB\n"), []);
});
