// kafkajs admin client, driven by test_clients.py.
//   node admin.js BOOTSTRAP create TOPIC PARTITIONS   -> {"created": bool}
//   node admin.js BOOTSTRAP metadata TOPIC            -> {"topics", "listed", "cluster"}
//   node admin.js BOOTSTRAP offsets TOPIC             -> {"offsets": [{partition, offset, high, low}]}
// Prints one JSON line on stdout; exits non-zero on any error.
'use strict'
const { Kafka, logLevel } = require('kafkajs')

async function main() {
  const [bootstrap, cmd, topic, partitions] = process.argv.slice(2)
  const kafka = new Kafka({ clientId: 'sluice-it-admin', brokers: [bootstrap], logLevel: logLevel.ERROR,
                            retry: { retries: 3 } })
  const admin = kafka.admin()
  await admin.connect()
  try {
    let out
    if (cmd === 'create') {
      const created = await admin.createTopics({
        topics: [{ topic, numPartitions: Number(partitions), replicationFactor: 1 }],
        waitForLeaders: true,
      })
      out = { created }
    } else if (cmd === 'metadata') {
      const md = await admin.fetchTopicMetadata({ topics: [topic] })
      const listed = await admin.listTopics()
      const cluster = await admin.describeCluster()
      out = { topics: md.topics, listed, cluster }
    } else if (cmd === 'offsets') {
      out = { offsets: await admin.fetchTopicOffsets(topic) }
    } else {
      throw new Error('unknown command ' + cmd)
    }
    console.log(JSON.stringify(out))
  } finally {
    await admin.disconnect()
  }
}

main().catch(e => {
  console.error(e && e.stack ? e.stack : e)
  process.exit(1)
})
