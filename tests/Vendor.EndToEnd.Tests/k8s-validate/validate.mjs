// Validates every object of a kustomization offline against the Kubernetes API schemas (kubernetes-models) and prints them as
// JSON for the test's own cross-checks. `--self-check` proves the validator rejects a malformed object.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { Namespace, Service, ConfigMap, Secret } from 'kubernetes-models/v1';
import { Deployment } from 'kubernetes-models/apps/v1';

const models = {
  'v1/Namespace': Namespace, 'v1/Service': Service, 'v1/ConfigMap': ConfigMap, 'v1/Secret': Secret, 'apps/v1/Deployment': Deployment,
};

if (process.argv[2] === '--self-check') {
  try {
    new Deployment({ metadata: { name: 'x' }, spec: { replicas: 'two', selector: {}, template: {} } }).validate();
    console.log('accepted a Deployment with replicas: "two"');
    process.exit(1);
  } catch (e) {
    console.log(`rejected: ${e.message}`);
    process.exit(0);
  }
}

const dir = process.argv[2];
const kustomization = parse(readFileSync(join(dir, 'kustomization.yaml'), 'utf8'));
const objects = [];
const errors = [];
for (const file of kustomization.resources) {
  for (const doc of parseAllDocuments(readFileSync(join(dir, file), 'utf8'))) {
    if (doc.errors.length) { errors.push(`${file}: ${doc.errors.map(e => e.message).join('; ')}`); continue; }
    const object = doc.toJS();
    if (!object) continue;
    const Model = models[`${object.apiVersion}/${object.kind}`];
    if (!Model) { errors.push(`${file}: no schema for ${object.apiVersion} ${object.kind}`); continue; }
    try {
      new Model(object).validate();
      objects.push({ file, ...object });
    } catch (e) {
      errors.push(`${file}: ${object.kind} ${object.metadata?.name}: ${e.message}`);
    }
  }
}
if (errors.length) { console.error(errors.join('\n')); process.exit(1); }
console.log(JSON.stringify({ kustomization, objects }));
