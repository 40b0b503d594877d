import java.util.Properties;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The article's producer made safe: the producer is closed (which sends
 * what is buffered) by try-with-resources, the send's result is waited
 * for so a failure is seen, and acks=all with idempotence (Kafka 4's
 * defaults, spelt out) means an acknowledged record is stored once.
 */
public class MyEventProducerCorrected {
    public static void main(String[] args) throws Exception {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, Bootstrap.servers(args));
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);

        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
            RecordMetadata sent = producer.send(new ProducerRecord<>("my-topic", "Hello, World!")).get();
            System.out.printf("sent to %s-%d at offset %d%n", sent.topic(), sent.partition(), sent.offset());
        }
    }
}
