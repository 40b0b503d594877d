// kafkajs 2.2.4 (pinned in tests/integration/js/package.json) through the
// scenarios of tests/clients/README.md; prints what it observed as JSON.
//   node driver.js BOOTSTRAP codecs|group|admin PREFIX
'use strict'
const path = require('path')
const { Kafka, CompressionTypes, ConfigResourceTypes, logLevel } =
  require(path.join(__dirname, '..', '..', 'integration', 'js', 'node_modules', 'kafkajs'))

// snappy, lz4 and zstd need codec packages kafkajs does not ship.
const CODECS = { none: CompressionTypes.None, gzip: CompressionTypes.GZIP }
const RECORDS_PER_CODEC = 5
const GROUP_RECORDS_PER_PHASE = 10
const GROUP_PARTITIONS = 3
const DEADLINE_MS = 60000

const [bootstrap, scenario, prefix] = process.argv.slice(2)
const kafka = new Kafka({ clientId: 'sluice-client-driver', brokers: [bootstrap], logLevel: logLevel.NOTHING })
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

async function waitUntil (what, condition) {
  const end = Date.now() + DEADLINE_MS
  while (!(await condition())) {
    if (Date.now() > end) throw new Error('waited 60s for ' + what)
    await sleep(50)
  }
}

async function produce (topic, messages, codec) {
  const producer = kafka.producer()
  await producer.connect()
  try {
    await producer.send({ topic, messages, compression: CODECS[codec], acks: -1 })
  } finally {
    await producer.disconnect()
  }
}

async function codecs () {
  const out = {}
  for (const codec of Object.keys(CODECS)) {
    const topic = `${prefix}-codec-${codec}`
    const messages = []
    for (let i = 0; i < RECORDS_PER_CODEC; i++) {
      // kafkajs takes headers as an object; a repeated key is an array of values.
      messages.push({ key: `key-${i}`, value: `value-${i}-${codec}`, partition: 0,
                      headers: { index: String(i), codec, dup: ['a', 'b'] } })
    }
    await produce(topic, messages, codec)
    out[codec] = await readBack(topic)
  }
  return { codecs: out }
}

// kafkajs consumes through groups only: a fresh group reads from the beginning.
async function readBack (topic) {
  const consumer = kafka.consumer({ groupId: `${topic}-reader`, maxWaitTimeInMs: 100 })
  await consumer.connect()
  await consumer.subscribe({ topic, fromBeginning: true })
  const got = []
  await consumer.run({
    eachMessage: async ({ message }) => {
      const headers = []
      for (const [k, v] of Object.entries(message.headers)) {
        for (const one of [].concat(v)) headers.push([k, one.toString()])
      }
      got.push({ key: message.key && message.key.toString(), value: message.value.toString(), headers })
    }
  })
  await waitUntil(topic, () => got.length >= RECORDS_PER_CODEC)
  await consumer.disconnect()
  return got
}

function member (topic, group, counted) {
  const consumer = kafka.consumer({ groupId: group, sessionTimeout: 6000, heartbeatInterval: 500,
                                    rebalanceTimeout: 10000, maxWaitTimeInMs: 100 })
  const m = { assigned: [] }
  consumer.on(consumer.events.GROUP_JOIN, (e) => { m.assigned = e.payload.memberAssignment[topic] || [] })
  consumer.on(consumer.events.REBALANCING, () => { m.assigned = [] })
  m.start = async () => {
    await consumer.connect()
    await consumer.subscribe({ topic, fromBeginning: true })
    await consumer.run({
      autoCommit: false,
      // A failed commit throws, and kafkajs delivers the record again (or its next owner reads it).
      eachMessage: async ({ partition, message }) => {
        await consumer.commitOffsets([{ topic, partition, offset: String(Number(message.offset) + 1) }])
        counted(message.value.toString())
      }
    })
  }
  m.stop = async () => { await consumer.disconnect(); m.assigned = [] }   // leaves the group
  return m
}

function settled (members) {
  const all = members.flatMap((m) => m.assigned)
  return members.every((m) => m.assigned.length > 0) && all.length === GROUP_PARTITIONS &&
    new Set(all).size === GROUP_PARTITIONS
}

async function groupWalk () {
  const topic = `${prefix}-group`
  const consumed = []
  const members = [0, 1, 2].map(() => member(topic, `${prefix}-g`, (v) => consumed.push(v)))
  const sizes = []
  const phase = async (live, number) => {
    await waitUntil(`the group to settle in phase ${number}`, () => settled(live))
    sizes.push(live.map((m) => m.assigned.length).sort())
    const messages = []
    for (let i = 0; i < GROUP_RECORDS_PER_PHASE; i++) {
      messages.push({ value: `g-${number}-${String(i).padStart(2, '0')}`, partition: i % GROUP_PARTITIONS })
    }
    await produce(topic, messages, 'none')
    await waitUntil(`phase ${number}'s records`, () => consumed.length >= GROUP_RECORDS_PER_PHASE * (number + 1))
  }
  try {
    await members[0].start()
    await members[1].start()
    await phase(members.slice(0, 2), 0)
    await members[2].start()
    await phase(members, 1)
    await members[0].stop()
    await phase(members.slice(1), 2)
    await sleep(500)   // a redelivery would show up here
  } finally {
    await Promise.all(members.map((m) => m.stop()))
  }
  return { group: { assignment_sizes: sizes, consumed: consumed.sort() } }
}

async function admin () {
  const topic = `${prefix}-admin`
  const a = kafka.admin()
  await a.connect()
  try {
    await a.createTopics({ topics: [{ topic, numPartitions: 2, replicationFactor: 1 }], waitForLeaders: true })
    const meta = await a.fetchTopicMetadata({ topics: [topic] })
    // kafkajs has AlterConfigs only (no IncrementalAlterConfigs).
    await a.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic,
      configEntries: [{ name: 'retention.ms', value: '3600000' }] }] })
    // Kafka applies the change through its metadata log: a describe right after may show the old value.
    let retention
    await waitUntil('the new retention.ms', async () => {
      const configs = await a.describeConfigs({ includeSynonyms: false, resources: [
        { type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['retention.ms'] }] })
      retention = configs.resources[0].configEntries[0].configValue
      return retention === '3600000'
    }).catch(() => {})
    await a.deleteTopics({ topics: [topic] })
    await waitUntil('the deleted topic to go', async () => !(await a.listTopics()).includes(topic))
    return { admin: { topic: meta.topics[0].name, partitions: meta.topics[0].partitions.length,
                      'retention.ms': retention, deleted: true } }
  } finally {
    await a.disconnect()
  }
}

const scenarios = { codecs, group: groupWalk, admin }
scenarios[scenario]().then((out) => {
  process.stdout.write(JSON.stringify(out) + '\n')
  process.exit(0)
}, (err) => {
  process.stderr.write(String(err && err.stack || err) + '\n')
  process.exit(1)
})
