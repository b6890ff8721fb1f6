import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The repository root, from this file's location (not the working directory), decoded so that a
 * checkout under a path with spaces or non-ASCII characters resolves too.
 */
export const REPO_ROOT: string = dirname(dirname(fileURLToPath(import.meta.url)));

/**
 * The reference data the tests replay (libvirt's XML corpus, vCPU hotplug data, recorded oracle
 * runs), copied into the project by `tests/tools/record_fixtures.sh`; `SOURCES.md` there says
 * where each file comes from.
 */
export const FIXTURES: string = join(REPO_ROOT, "tests/fixtures");
