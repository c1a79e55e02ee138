// node callers.js prof nAnn pattern : for samples with a frame matching pattern, group by nearest dist/src frame above it
const fs=require('fs');const [file,n,pat]=process.argv.slice(2);const p=JSON.parse(fs.readFileSync(file));
const byId=new Map(p.nodes.map(x=>[x.id,x]));const parent=new Map();for(const x of p.nodes)for(const c of x.children||[])parent.set(c,x.id);
const out=new Map();const re=new RegExp(pat);
for(let i=0;i<p.samples.length;i++){const w=p.timeDeltas[i+1]??0;let id=p.samples[i];let hit=false;let key=null;
 while(id!==undefined){const f=byId.get(id).callFrame;const lab=`${f.functionName} ${f.url.replace(/.*\/(dist|node_modules)\//,'$1/')}:${f.lineNumber}`;
  if(!hit&&re.test(lab))hit=true;else if(hit&&f.url.includes('dist/src')){key=lab;break;}id=parent.get(id);}
 if(hit)out.set(key,(out.get(key)||0)+w);}
for(const [k,v] of [...out].sort((a,b)=>b[1]-a[1]).slice(0,15))console.log((v/n).toFixed(2).padStart(7),k);
