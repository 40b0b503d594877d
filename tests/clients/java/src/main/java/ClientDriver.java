import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.IntUnaryOperator;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * kafka-clients 4.4 (KafkaProducer, KafkaConsumer, Admin) through the scenarios
 * of tests/clients/README.md; prints what it observed as JSON.
 * Usage: ClientDriver BOOTSTRAP codecs|group|admin PREFIX
 */
public final class ClientDriver {
    static final List<String> CODECS = List.of("none", "gzip", "snappy", "lz4", "zstd");
    static final int RECORDS_PER_CODEC = 5, GROUP_RECORDS_PER_PHASE = 10, GROUP_PARTITIONS = 3;
    static final long DEADLINE_MS = 60_000;

    record Sent(String key, String value, List<String[]> headers) {}

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0], scenario = args[1], prefix = args[2];
        Object out = switch (scenario) {
            case "codecs" -> Map.of("codecs", codecs(bootstrap, prefix));
            case "group" -> Map.of("group", new GroupWalk(bootstrap, prefix).run());
            case "admin" -> Map.of("admin", admin(bootstrap, prefix + "-admin"));
            default -> throw new IllegalArgumentException("unknown scenario " + scenario);
        };
        System.out.println(Json.of(out));
    }

    static void produce(String bootstrap, String topic, List<Sent> records, String codec, IntUnaryOperator partitionOf)
            throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("compression.type", codec);
        p.put("linger.ms", "5");
        try (KafkaProducer<String, String> producer =
                     new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            List<java.util.concurrent.Future<?>> sends = new ArrayList<>();
            for (int i = 0; i < records.size(); i++) {
                Sent s = records.get(i);
                ProducerRecord<String, String> r = new ProducerRecord<>(topic, partitionOf.applyAsInt(i), s.key(), s.value());
                for (String[] h : s.headers()) r.headers().add(h[0], h[1].getBytes(StandardCharsets.UTF_8));
                sends.add(producer.send(r));
            }
            for (var f : sends) f.get(30, TimeUnit.SECONDS);
        }
    }

    static KafkaConsumer<String, String> consumer(String bootstrap, Map<String, String> extra) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("enable.auto.commit", "false");
        p.putAll(extra);
        return new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
    }

    static Map<String, Object> codecs(String bootstrap, String prefix) throws Exception {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String codec : CODECS) {
            String topic = prefix + "-codec-" + codec;
            List<Sent> sent = new ArrayList<>();
            for (int i = 0; i < RECORDS_PER_CODEC; i++) {
                sent.add(new Sent("key-" + i, "value-" + i + "-" + codec, List.of(new String[] {"index", "" + i},
                        new String[] {"codec", codec}, new String[] {"dup", "a"}, new String[] {"dup", "b"})));
            }
            produce(bootstrap, topic, sent, codec, i -> 0);
            List<Object> got = new ArrayList<>();
            try (KafkaConsumer<String, String> c = consumer(bootstrap, Map.of())) {
                TopicPartition tp = new TopicPartition(topic, 0);
                c.assign(List.of(tp));
                c.seekToBeginning(List.of(tp));
                long end = System.currentTimeMillis() + DEADLINE_MS;
                while (got.size() < RECORDS_PER_CODEC && System.currentTimeMillis() < end) {
                    for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) got.add(observed(r));
                }
            }
            out.put(codec, got);
        }
        return out;
    }

    static Map<String, Object> observed(ConsumerRecord<String, String> r) {
        List<Object> headers = new ArrayList<>();
        for (Header h : r.headers()) headers.add(List.of(h.key(), new String(h.value(), StandardCharsets.UTF_8)));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("key", r.key());
        m.put("value", r.value());
        m.put("headers", headers);
        return m;
    }

    static void waitUntil(String what, BooleanSupplier condition) throws InterruptedException {
        long end = System.currentTimeMillis() + DEADLINE_MS;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > end) throw new IllegalStateException("waited 60s for " + what);
            Thread.sleep(50);
        }
    }

    /** Two members share the topic, a third joins, the first leaves; a record counts once its commit succeeded. */
    static final class GroupWalk {
        final String bootstrap, topic, group;
        final List<String> consumed = Collections.synchronizedList(new ArrayList<>());

        GroupWalk(String bootstrap, String prefix) {
            this.bootstrap = bootstrap;
            this.topic = prefix + "-group";
            this.group = prefix + "-g";
        }

        final class Member extends Thread {
            final Set<Integer> assigned = ConcurrentHashMap.newKeySet();
            final AtomicBoolean stopping = new AtomicBoolean();

            Member(int n) {
                super("member-" + n);
                setDaemon(true);
            }

            @Override public void run() {
                try (KafkaConsumer<String, String> c = consumer(bootstrap, Map.of("group.id", group,
                        "auto.offset.reset", "earliest", "session.timeout.ms", "6000",
                        "heartbeat.interval.ms", "500", "max.poll.records", "1", "client.id", getName()))) {
                    c.subscribe(List.of(topic), new ConsumerRebalanceListener() {
                        @Override public void onPartitionsRevoked(Collection<TopicPartition> parts) {
                            parts.forEach(tp -> assigned.remove(tp.partition()));
                        }

                        @Override public void onPartitionsAssigned(Collection<TopicPartition> parts) {
                            parts.forEach(tp -> assigned.add(tp.partition()));
                        }
                    });
                    while (!stopping.get()) {
                        for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(100))) {
                            TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                            try {
                                c.commitSync(Map.of(tp, new OffsetAndMetadata(r.offset() + 1)));
                                consumed.add(r.value());
                            } catch (KafkaException e) {
                                // Not committed: read it again if the partition is still ours.
                                if (c.assignment().contains(tp)) c.seek(tp, r.offset());
                                break;
                            }
                        }
                    }
                }   // close() leaves the group
                assigned.clear();
            }

            void finish() throws InterruptedException {
                stopping.set(true);
                join(30_000);
            }
        }

        boolean settled(List<Member> live) {
            Set<Integer> union = new HashSet<>();
            int total = 0;
            for (Member m : live) {
                if (m.assigned.isEmpty()) return false;
                total += m.assigned.size();
                union.addAll(m.assigned);
            }
            return total == GROUP_PARTITIONS && union.size() == GROUP_PARTITIONS;
        }

        List<Integer> phase(List<Member> live, int number) throws Exception {
            waitUntil("the group to settle in phase " + number, () -> settled(live));
            List<Integer> sizes = new ArrayList<>();
            for (Member m : live) sizes.add(m.assigned.size());
            Collections.sort(sizes);
            List<Sent> records = new ArrayList<>();
            for (int i = 0; i < GROUP_RECORDS_PER_PHASE; i++) {
                records.add(new Sent(null, String.format("g-%d-%02d", number, i), List.of()));
            }
            produce(bootstrap, topic, records, "none", i -> i % GROUP_PARTITIONS);
            waitUntil("phase " + number + "'s records", () -> consumed.size() >= GROUP_RECORDS_PER_PHASE * (number + 1));
            return sizes;
        }

        Map<String, Object> run() throws Exception {
            List<Member> members = List.of(new Member(0), new Member(1), new Member(2));
            List<Object> phases = new ArrayList<>();
            try {
                members.get(0).start();
                members.get(1).start();
                phases.add(phase(members.subList(0, 2), 0));
                members.get(2).start();
                phases.add(phase(members, 1));
                members.get(0).finish();
                phases.add(phase(members.subList(1, 3), 2));
                Thread.sleep(500);   // a redelivery would show up here
            } finally {
                for (Member m : members) m.finish();
            }
            List<String> sorted = new ArrayList<>(consumed);
            Collections.sort(sorted);
            return Map.of("assignment_sizes", phases, "consumed", sorted);
        }
    }

    static Map<String, Object> admin(String bootstrap, String topic) throws Exception {
        try (Admin a = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            a.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get(30, TimeUnit.SECONDS);
            TopicDescription d = null;
            for (long end = System.currentTimeMillis() + DEADLINE_MS; d == null; Thread.sleep(100)) {
                try {
                    d = a.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic);
                } catch (java.util.concurrent.ExecutionException e) {
                    // Kafka's metadata lags the creation a moment.
                    if (System.currentTimeMillis() > end) throw e;
                }
            }
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            a.incrementalAlterConfigs(Map.of(resource, List.of(new AlterConfigOp(
                    new ConfigEntry("retention.ms", "3600000"), AlterConfigOp.OpType.SET))))
                    .all().get(30, TimeUnit.SECONDS);
            // Kafka applies the change through its metadata log: a describe right after may show the old value.
            String retention = null;
            for (long end = System.currentTimeMillis() + DEADLINE_MS;
                 !"3600000".equals(retention) && System.currentTimeMillis() < end; Thread.sleep(100)) {
                retention = a.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS)
                        .get(resource).get("retention.ms").value();
            }
            a.deleteTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
            waitUntil("the deleted topic to go", () -> {
                try {
                    return !a.listTopics().names().get(10, TimeUnit.SECONDS).contains(topic);
                } catch (Exception e) {
                    return false;
                }
            });
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("topic", d.name());
            m.put("partitions", d.partitions().size());
            m.put("retention.ms", retention);
            m.put("deleted", true);
            return m;
        }
    }

    /** Just enough JSON for the summaries: maps, lists, strings, numbers, booleans, null. */
    static final class Json {
        static String of(Object o) {
            if (o == null) return "null";
            if (o instanceof String s) {
                StringBuilder b = new StringBuilder("\"");
                for (char ch : s.toCharArray()) {
                    if (ch == '"' || ch == '\\') b.append('\\').append(ch);
                    else if (ch < 0x20) b.append(String.format("\\u%04x", (int) ch));
                    else b.append(ch);
                }
                return b.append('"').toString();
            }
            if (o instanceof Map<?, ?> m) {
                List<String> parts = new ArrayList<>();
                m.forEach((k, v) -> parts.add(of(k.toString()) + ": " + of(v)));
                return "{" + String.join(", ", parts) + "}";
            }
            if (o instanceof List<?> l) {
                List<String> parts = new ArrayList<>();
                l.forEach(v -> parts.add(of(v)));
                return "[" + String.join(", ", parts) + "]";
            }
            return o.toString();
        }
    }
}
