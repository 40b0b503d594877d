// kafkajs producer, driven by test_clients.py.
//   node producer.js BOOTSTRAP TOPIC COUNT none|gzip
// Sends COUNT keyed records with headers (acks -1) in batches of 100, in
// order; record i has key "key-i", value "kafkajs value i " + "x" * (i % 50)
// and headers seq=i, client=kafkajs. Prints {"sent", "results"} as JSON.
'use strict'
const { Kafka, CompressionTypes, logLevel } = require('kafkajs')

async function main() {
  const [bootstrap, topic, countArg, compressionArg] = process.argv.slice(2)
  const count = Number(countArg)
  const compression = compressionArg === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None
  const kafka = new Kafka({ clientId: 'sluice-it-producer', brokers: [bootstrap], logLevel: logLevel.ERROR })
  const producer = kafka.producer({ allowAutoTopicCreation: false })
  await producer.connect()
  const results = []
  let sent = 0
  try {
    for (let start = 0; start < count; start += 100) {
      const messages = []
      for (let i = start; i < Math.min(count, start + 100); i++) {
        messages.push({
          key: `key-${i}`,
          value: `kafkajs value ${i} ` + 'x'.repeat(i % 50),
          headers: { seq: String(i), client: 'kafkajs' },
        })
      }
      const res = await producer.send({ topic, acks: -1, compression, messages })
      results.push(...res)
      sent += messages.length
    }
  } finally {
    await producer.disconnect()
  }
  console.log(JSON.stringify({ sent, results }))
}

main().catch(e => {
  console.error(e && e.stack ? e.stack : e)
  process.exit(1)
})
