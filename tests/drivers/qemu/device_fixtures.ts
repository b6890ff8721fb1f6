/**
 * The TPM fixtures, recorded by `fixtures/record_argv.sh` and, for what libvirt runs besides
 * QEMU (swtpm_setup, swtpm) and leaves at undefine, by `fixtures/record_tpm.sh`.
 */
export const TPM_FIXTURES: readonly string[] = [
  "pc-tpm",
  "pc-tpm-default",
  "q35-tpm-crb",
  "q35-tpm-tis",
];

/**
 * The device fixtures recorded from libvirt 9.0's real start by `fixtures/record_argv.sh` with
 * `LIVE=1`: each has its command line (`.argv`), its definition after the QEMU driver's
 * post-parse (`.expected.xml`, from `canon.sh --driver qemu`) and its live XML (`.live.xml`).
 */
export const RECORDED_DEVICE_FIXTURES: readonly string[] = [
  "pc-sound",
  "q35-sound",
  "pc-rng-watchdog",
  "q35-rng-watchdog",
  "q35-watchdog-pci",
  "pc-fs",
  "q35-fs",
  "pc-chardev",
  "pc-spice",
  "q35-spice",
  "pc-misc",
  // libvirt 9.0 reads no <crypto>: both drop it.
  "pc-shmem-crypto",
  "q35-iommu",
  "q35-virtio-input",
  // virtiofs shares served by an externally launched virtiofsd: memfd and NUMA shared memory.
  "pc-virtiofs",
  "q35-virtiofs",
  // Emulated TPMs (swtpm): TIS and CRB, TPM 1.2 and 2.0, persistent state, PCR banks.
  ...TPM_FIXTURES,
];
