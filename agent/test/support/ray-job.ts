/** The Ray job the Ray suites submit: one task pinned to each live node, its result checkable. */

/** Prints `RESULT <nodes> <distinct nodes that ran a task> <sum>`. */
export const RAY_JOB = `
import ray
from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

ray.init()

@ray.remote(num_cpus=1)
def square_sum(n):
    return ray.get_runtime_context().get_node_id(), sum(i * i for i in range(n))

nodes = [node["NodeID"] for node in ray.nodes() if node["Alive"]]
results = ray.get([
    square_sum.options(scheduling_strategy=NodeAffinitySchedulingStrategy(node, soft=False)).remote(1000 + k)
    for k, node in enumerate(nodes)
])
print("RESULT", len(nodes), len({node for node, _ in results}), sum(total for _, total in results))
`;

/** The sum RAY_JOB prints for `nodes` nodes: the sum over k of sum(i^2, i < 1000 + k). */
export function rayJobSum(nodes: number): bigint {
  let total = 0n;
  for (let k = 0; k < nodes; k++) for (let i = 0n; i < BigInt(1000 + k); i++) total += i * i;
  return total;
}
