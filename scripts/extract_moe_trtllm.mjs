// extract_moe_trtllm.mjs -- validation/kernels/moe_trtllm.csv from NVIDIA's aiconfigurator
// performance database (the source is named in validation/kernels/README.md).
//
//   node scripts/extract_moe_trtllm.mjs AICONFIGURATOR_CHECKOUT > validation/kernels/moe_trtllm.csv
//
// Reads, for each GPU, aic-core/src/aiconfigurator_core/systems/data/<gpu>/moe/trtllm/1.3.0rc20/
// moe_perf.parquet and keeps every row of one GPU's whole layer (moe_tp_size 1, moe_ep_size 1),
// balanced routing, of a gated kernel (no min-latency or non-gated kernel source), in the dtypes
// the serving model has: bfloat16, fp8, fp8_block, nvfp4, w4a16_mxfp4, w4a8_mxfp4_mxfp8.  Needs
// Node.js and the npm packages hyparquet and hyparquet-compressors (parquet is not read by any
// Debian package); the project itself reads only the CSV it writes.
import { parquetReadObjects } from 'hyparquet'
import { compressors } from 'hyparquet-compressors'
import fs from 'fs'
import path from 'path'

const root = process.argv[2]
if (!root) {
  console.error('usage: node scripts/extract_moe_trtllm.mjs AICONFIGURATOR_CHECKOUT')
  process.exit(2)
}
const gpus = [['h100', 'h100_sxm'], ['h200', 'h200_sxm'], ['b200', 'b200_sxm'], ['gb200', 'gb200']]
const dtypes = new Set(['bfloat16', 'fp8', 'fp8_block', 'nvfp4', 'w4a16_mxfp4', 'w4a8_mxfp4_mxfp8'])
const num = v => (typeof v === 'bigint' ? Number(v) : v)
console.log('gpu,version,dtype,kernel,hidden,inter,topk,experts,tokens,latency_ms')
for (const [name, dir] of gpus) {
  const rel = `aic-core/src/aiconfigurator_core/systems/data/${dir}/moe/trtllm/1.3.0rc20/moe_perf.parquet`
  const buf = fs.readFileSync(path.join(root, rel))
  const rows = await parquetReadObjects({
    file: buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength), compressors })
  const keep = rows.filter(r => num(r.moe_tp_size) === 1 && num(r.moe_ep_size) === 1 &&
    r.distribution === 'balanced' && dtypes.has(r.moe_dtype) &&
    !/min_latency|nongated/.test(r.kernel_source))
  keep.sort((a, b) => a.moe_dtype.localeCompare(b.moe_dtype) || num(a.hidden_size) - num(b.hidden_size) ||
    num(a.inter_size) - num(b.inter_size) || num(a.num_experts) - num(b.num_experts) ||
    num(a.topk) - num(b.topk) || num(a.num_tokens) - num(b.num_tokens))
  for (const r of keep)
    console.log([name, r.version, r.moe_dtype, r.kernel_source, num(r.hidden_size), num(r.inter_size),
      num(r.topk), num(r.num_experts), num(r.num_tokens), Number(num(r.latency).toPrecision(6))].join(','))
}
