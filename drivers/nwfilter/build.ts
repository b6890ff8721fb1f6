/**
 * libvirt 9.0's filter (re)building over the bindings of a driver state
 * (`nwfilter_gentech_driver.c`): a binding instantiated on its port device
 * (`virNWFilterInstantiateFilter`: new rules in temporary chains, then swapped in), torn down
 * (`virNWFilterTeardownFilter`), and every binding rebuilt when a filter changes or is to go
 * (`virNWFilterBuildAll`): the bindings whose tree holds the changed filter get its new rules
 * beside the old ones, then all are switched, or all rolled back when one fails. A binding of a
 * device that does not exist instantiates nothing.
 *
 * @module
 */
import { VirError } from "../../util/errors.ts";
import type { NWFilterBindingDef, NWFilterDef } from "../../conf/nwfilter/mod.ts";
import { allTeardown, applyNewRules, tearNewRules, tearOldRules } from "./tech/ebiptables.ts";
import { bindingRules } from "./tech/instantiate.ts";
import type { NWFilterState } from "./state.ts";

/** A filter about to change: its new definition, or none when it is to be undefined. */
export interface FilterChange {
  name: string;
  /** The new definition; undefined while the filter is to be removed. */
  def?: NWFilterDef;
}

/** The rules of a binding, with whether its tree reached the changed filter. */
function rulesOf(state: NWFilterState, binding: NWFilterBindingDef, change?: FilterChange) {
  let found = false;
  const lookup = (name: string) => {
    if (change?.name !== name) return state.byName(name);
    if (!change.def) {
      // virNWFilterObjListFindInstantiateFilter of a filter that wants to be removed.
      throw VirError.report("NWFILTER", "NO_NWFILTER", `Filter '${name}' is in use.`);
    }
    found = true;
    return change.def;
  };
  const rules = bindingRules(binding, lookup);
  return { rules, found };
}

/**
 * `virNWFilterInstantiateFilter`: the binding's rules put on its device, replacing any it had.
 *
 * @example
 * ```ts ignore
 * await instantiateBinding(state, binding);
 * ```
 */
export async function instantiateBinding(
  state: NWFilterState,
  binding: NWFilterBindingDef,
): Promise<void> {
  if (!await state.host.linkExists(binding.portdev)) return;
  const { rules } = rulesOf(state, binding);
  await applyNewRules(binding.portdev, rules).apply(state.host.run);
  await tearOldRules(binding.portdev).apply(state.host.run);
  state.applied.add(binding.portdev);
}

/**
 * `virNWFilterTeardownFilter`: every rule and chain of the binding's device removed. A binding
 * this driver never put rules for (its device was missing) has none: libvirt would still run its
 * teardown commands, which would find nothing, so they are not run on the host's tables.
 *
 * @example
 * ```ts ignore
 * await teardownBinding(state, binding);
 * ```
 */
export async function teardownBinding(
  state: NWFilterState,
  binding: NWFilterBindingDef,
): Promise<void> {
  if (!state.applied.delete(binding.portdev)) return;
  await allTeardown(binding.portdev).apply(state.host.run);
}

/**
 * `virNWFilterBuildAll(driver, true)` for `change`: the new rules of every binding that uses
 * the filter, switched in once all succeeded, else all removed again and the error thrown.
 *
 * @example
 * ```ts ignore
 * await rebuildAll(state, { name: "clean-traffic", def: newDef });
 * ```
 */
export async function rebuildAll(state: NWFilterState, change: FilterChange): Promise<void> {
  const updated: NWFilterBindingDef[] = [];
  try {
    for (const binding of state.bindings.values()) {
      if (!await state.host.linkExists(binding.portdev)) continue;
      const { rules, found } = rulesOf(state, binding, change);
      if (!found) continue;
      updated.push(binding);
      await applyNewRules(binding.portdev, rules).apply(state.host.run);
      state.applied.add(binding.portdev);
    }
  } catch (e) {
    for (const binding of updated) await tearNewRules(binding.portdev).apply(state.host.run);
    throw e;
  }
  for (const binding of updated) await tearOldRules(binding.portdev).apply(state.host.run);
}

/**
 * `virNWFilterBuildAll(driver, false)`: every binding instantiated, as the driver starts.
 *
 * @example
 * ```ts ignore
 * await buildAll(state);
 * ```
 */
export async function buildAll(state: NWFilterState): Promise<void> {
  for (const binding of state.bindings.values()) await instantiateBinding(state, binding);
}
