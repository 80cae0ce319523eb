package dev.caravan.support;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

import kafka.server.BrokerServer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * A real Kafka broker in this JVM (KRaft, the broker {@code @EmbeddedKafka(kraft = true)} starts), once
 * per test JVM, that can be stopped and started again. It is built here rather than by the annotation
 * because the annotation cannot fix the listener port in KRaft mode (spring-kafka-test 3.3 ignores
 * {@code kafkaPorts} there), and a broker restarted on a new port is a different address to the gateway.
 */
public final class TestKafka {

    public static final String TOPIC = "caravan.usage";
    /** More than one partition: records are spread by key, so order is only kept per account. */
    public static final int PARTITIONS = 3;

    private static final TestKafka INSTANCE = start();

    private final EmbeddedKafkaKraftBroker broker;

    private TestKafka(EmbeddedKafkaKraftBroker broker) {
        this.broker = broker;
    }

    public static TestKafka get() {
        return INSTANCE;
    }

    private static TestKafka start() {
        EmbeddedKafkaKraftBroker broker = new EmbeddedKafkaKraftBroker(1, PARTITIONS);
        broker.brokerProperty("listeners", "EXTERNAL://localhost:" + freePort() + ",CONTROLLER://localhost:0");
        broker.afterPropertiesSet();
        broker.addTopics(new NewTopic(TOPIC, PARTITIONS, (short) 1));
        Runtime.getRuntime().addShutdownHook(new Thread(broker::destroy));
        return new TestKafka(broker);
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public String bootstrapServers() {
        return broker.getBrokersAsString();
    }

    /** Stops the broker: its port refuses connections until {@link #restart()}. */
    public void stop() {
        BrokerServer server = server();
        server.shutdown();
        server.awaitShutdown();
    }

    /** Starts the stopped broker again, on the same address, with its log (the topic) intact. */
    public void restart() {
        server().startup();
    }

    private BrokerServer server() {
        return broker.getCluster().brokers().values().iterator().next();
    }

    /**
     * Reads the topic from the beginning until {@code done} holds for the records accepted by
     * {@code filter} (or the timeout passes), and returns those records in the order of each partition.
     */
    public List<ConsumerRecord<String, String>> read(Predicate<ConsumerRecord<String, String>> filter,
                                                     Predicate<List<ConsumerRecord<String, String>>> done,
                                                     Duration timeout) {
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                // no consumer group: the partitions are assigned here and read from the start every time
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class))) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (int p = 0; p < PARTITIONS; p++) {
                partitions.add(new TopicPartition(TOPIC, p));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!done.test(records) && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(record -> {
                    if (filter.test(record)) {
                        records.add(record);
                    }
                });
            }
        }
        return records;
    }

    /** The records keyed by one of {@code accounts}, once there are at least {@code count} of them. */
    public List<ConsumerRecord<String, String>> awaitRecords(Set<String> accounts, int count, Duration timeout) {
        return read(record -> accounts.contains(record.key()), records -> records.size() >= count, timeout);
    }
}
