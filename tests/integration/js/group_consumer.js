// kafkajs group member, driven by test_groups.py (same events as group_worker.py).
//   node group_consumer.js BOOTSTRAP TOPIC GROUP
// Prints one JSON line per event: assign (GROUP_JOIN with its partitions),
// msg (before the commit), committed (after it). SIGTERM disconnects cleanly.
'use strict'
const { Kafka, logLevel } = require('kafkajs')

function emit(ev) { process.stdout.write(JSON.stringify(ev) + '\n') }

async function main() {
  const [bootstrap, topic, group] = process.argv.slice(2)
  const kafka = new Kafka({ clientId: 'sluice-it-group', brokers: [bootstrap], logLevel: logLevel.NOTHING })
  const consumer = kafka.consumer({ groupId: group, sessionTimeout: 6000, heartbeatInterval: 500,
                                    rebalanceTimeout: 10000, metadataMaxAge: 2000,
                                    maxWaitTimeInMs: 500 })
  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    const parts = (e.payload.memberAssignment[topic] || []).slice().sort((a, b) => a - b)
    emit({ ev: 'assign', parts })
  })
  await consumer.connect()
  await consumer.subscribe({ topic, fromBeginning: true })
  let stopping = false
  process.on('SIGTERM', async () => {
    if (stopping) return
    stopping = true
    await consumer.disconnect()
    emit({ ev: 'closed' })
    process.exit(0)
  })
  emit({ ev: 'started' })
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ partition, message }) => {
      const o = Number(message.offset)
      emit({ ev: 'msg', p: partition, o, v: message.value.toString() })
      try {
        await consumer.commitOffsets([{ topic, partition, offset: String(o + 1) }])
        emit({ ev: 'committed', p: partition, o })
      } catch (e) {
        emit({ ev: 'commit_failed', p: partition, o, err: String(e) })
      }
    },
  })
}

main().catch((e) => { emit({ ev: 'error', err: String(e) }); process.exit(1) })
