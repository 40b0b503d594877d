// Confluent's JavaScript schema registry client (@confluentinc/schemaregistry)
// against Sluice's registry: registers and fetches a schema, serializes a
// record with AvroSerializer and produces it (kafkajs) to a topic that
// validates schema ids, reads it back with AvroDeserializer, and collects
// the RestErrors for an incompatible schema and an unknown subject.
// Usage: node registry_client.js REGISTRY_URL BOOTSTRAP TOPIC
// Prints one JSON line with what it saw.
const { SchemaRegistryClient, AvroSerializer, AvroDeserializer, SerdeType, RestError } =
  require("@confluentinc/schemaregistry");
const { Kafka, logLevel } = require("kafkajs");

const [registryUrl, bootstrap, topic] = process.argv.slice(2);
const subject = topic + "-value";
const v1 = { type: "record", name: "Order", namespace: "shop", fields: [{ name: "id", type: "long" }] };
const v2 = { ...v1, fields: [...v1.fields, { name: "note", type: "string", default: "" }] };
const incompatible = { ...v1, fields: [...v1.fields, { name: "amount", type: "int" }] };
const avro = s => ({ schemaType: "AVRO", schema: JSON.stringify(s) });

/* What a failed call threw: Confluent's code and HTTP status, or the error's text. */
async function failure(call) {
  try {
    await call();
    return { threw: false };
  } catch (e) {
    return e instanceof RestError ? { status: e.status, error_code: e.errorCode, message: e.message }
                                  : { other: String(e) };
  }
}

async function main() {
  const out = {};
  // No retries: an error must surface as the registry sent it.
  const client = new SchemaRegistryClient({ baseURLs: [registryUrl], maxRetries: 0 });
  out.id1 = await client.register(subject, avro(v1));
  out.id2 = await client.register(subject, avro(v2));
  out.id1_again = await client.register(subject, avro(v1));
  out.fetched = JSON.parse((await client.getBySubjectAndId(subject, out.id2)).schema);
  const latest = await client.getLatestSchemaMetadata(subject);
  out.latest = { id: latest.id, version: latest.version, subject: latest.subject };
  out.version1 = (await client.getSchemaMetadata(subject, 1)).id;
  out.versions = await client.getAllVersions(subject);
  out.subjects = await client.getAllSubjects();
  out.compatible = await client.testSubjectCompatibility(subject, avro(v2));
  out.incompatible_check = await client.testSubjectCompatibility(subject, avro(incompatible));

  out.incompatible = await failure(() => client.register(subject, avro(incompatible)));
  out.unknown_subject = await failure(() => client.getLatestSchemaMetadata("nobody-value"));
  out.unknown_version = await failure(() => client.getSchemaMetadata(subject, 9));
  out.unknown_id = await failure(() => client.getBySubjectAndId(subject, 9999));
  out.invalid = await failure(() => client.register(subject, { schemaType: "AVRO", schema: "{\"type\": \"record\"" }));

  // The serializer's bytes go through a topic that refuses records without a registered id.
  const ser = new AvroSerializer(client, SerdeType.VALUE, { useLatestVersion: true });
  const de = new AvroDeserializer(client, SerdeType.VALUE, {});
  const value = await ser.serialize(topic, { id: 42, note: "hello" });
  out.magic = value[0];
  out.wire_id = value.readInt32BE(1);
  const kafka = new Kafka({ clientId: "schemaregistry-js", brokers: [bootstrap], logLevel: logLevel.NOTHING });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, acks: -1, messages: [{ value }] });
  out.plain_refused = await producer.send({ topic, acks: -1, messages: [{ value: "not avro" }] })
    .then(() => null, e => e.type || String(e));
  await producer.disconnect();
  const consumer = kafka.consumer({ groupId: "schemaregistry-js" });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  out.consumed = await new Promise((resolve, reject) => {
    consumer.run({ eachMessage: async ({ message }) => resolve(await de.deserialize(topic, message.value)) })
      .catch(reject);
  });
  await consumer.disconnect();
  out.consumed.id = Number(out.consumed.id);   /* a long may come back as a BigInt or Long */
  return out;
}

main().then(out => { process.stdout.write(JSON.stringify(out) + "\n"); process.exit(0); },
            e => { process.stderr.write(String(e && e.stack || e) + "\n"); process.exit(1); });
