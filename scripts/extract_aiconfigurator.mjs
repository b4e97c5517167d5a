// extract_aiconfigurator.mjs -- kernel tables of validation/kernels/ from NVIDIA's aiconfigurator
// performance database (the sources are named in validation/kernels/README.md).
//
//   node scripts/extract_aiconfigurator.mjs moe CHECKOUT > validation/kernels/moe_trtllm.csv
//   node scripts/extract_aiconfigurator.mjs allreduce CHECKOUT > validation/kernels/allreduce_serving_h200.csv
//
// moe: for each GPU, aic-core/src/aiconfigurator_core/systems/data/<gpu>/moe/trtllm/1.3.0rc20/
// moe_perf.parquet, every row of one GPU's whole layer (moe_tp_size 1, moe_ep_size 1), balanced
// routing, of a gated kernel (no min-latency or non-gated kernel source), in the dtypes the serving
// model has: bfloat16, fp8, fp8_block, nvfp4, w4a16_mxfp4, w4a8_mxfp4_mxfp8.
// allreduce: the H200's comm/trtllm/1.3.0rc20 and comm/vllm/0.14.0 custom_allreduce_perf.parquet,
// every row captured in a CUDA graph (vLLM's eager rows left out), message sizes in bytes (the files
// count bf16 elements).
// Needs Node.js and the npm packages hyparquet and hyparquet-compressors (parquet is not read by
// any Debian package); the project itself reads only the CSVs this writes.
import { parquetReadObjects } from 'hyparquet'
import { compressors } from 'hyparquet-compressors'
import fs from 'fs'
import path from 'path'

const [table, root] = process.argv.slice(2)
if (!root || !['moe', 'allreduce'].includes(table)) {
  console.error('usage: node scripts/extract_aiconfigurator.mjs moe|allreduce AICONFIGURATOR_CHECKOUT')
  process.exit(2)
}
const data = 'aic-core/src/aiconfigurator_core/systems/data'
const num = v => (typeof v === 'bigint' ? Number(v) : v)
const round = v => Number(num(v).toPrecision(6))
async function read(rel) {
  const buf = fs.readFileSync(path.join(root, rel))
  return parquetReadObjects({ file: buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength), compressors })
}

if (table === 'moe') {
  const gpus = [['h100', 'h100_sxm'], ['h200', 'h200_sxm'], ['b200', 'b200_sxm'], ['gb200', 'gb200']]
  const dtypes = new Set(['bfloat16', 'fp8', 'fp8_block', 'nvfp4', 'w4a16_mxfp4', 'w4a8_mxfp4_mxfp8'])
  console.log('gpu,version,dtype,kernel,hidden,inter,topk,experts,tokens,latency_ms')
  for (const [name, dir] of gpus) {
    const rows = (await read(`${data}/${dir}/moe/trtllm/1.3.0rc20/moe_perf.parquet`)).filter(r =>
      num(r.moe_tp_size) === 1 && num(r.moe_ep_size) === 1 && r.distribution === 'balanced' &&
      dtypes.has(r.moe_dtype) && !/min_latency|nongated/.test(r.kernel_source))
    rows.sort((a, b) => a.moe_dtype.localeCompare(b.moe_dtype) || num(a.hidden_size) - num(b.hidden_size) ||
      num(a.inter_size) - num(b.inter_size) || num(a.num_experts) - num(b.num_experts) ||
      num(a.topk) - num(b.topk) || num(a.num_tokens) - num(b.num_tokens))
    for (const r of rows)
      console.log([name, r.version, r.moe_dtype, r.kernel_source, num(r.hidden_size), num(r.inter_size),
        num(r.topk), num(r.num_experts), num(r.num_tokens), round(r.latency)].join(','))
  }
} else {
  console.log('framework,version,kernel,gpus,bytes,latency_us')
  for (const fw of ['trtllm/1.3.0rc20', 'vllm/0.14.0']) {
    const rows = (await read(`${data}/h200_sxm/comm/${fw}/custom_allreduce_perf.parquet`)).filter(r =>
      r.allreduce_dtype === 'bfloat16' && r.backend !== 'vllm_eager')
    rows.sort((a, b) => num(a.num_gpus) - num(b.num_gpus) || num(a.message_size) - num(b.message_size))
    for (const r of rows)
      console.log([fw.split('/')[0], r.version, r.kernel_source, num(r.num_gpus), 2 * num(r.message_size),
        round(num(r.latency) * 1e3)].join(','))
  }
}
