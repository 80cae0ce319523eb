package dev.caravan.events;

import java.util.Map;

import dev.caravan.CaravanApplication;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Bad Kafka settings stop the start with a message naming the setting, instead of losing events. */
class KafkaSettingsTest {

    @EnableConfigurationProperties(KafkaSettings.class)
    static class Settings {
    }

    private final ApplicationContextRunner context = new ApplicationContextRunner()
            .withUserConfiguration(Settings.class)
            .withPropertyValues("caravan.kafka.bootstrap-servers=kafka-1:9093,kafka-2:9093",
                    "caravan.kafka.topic=caravan.usage", "caravan.kafka.client-id=caravan", "caravan.kafka.batch-size=500");

    @Test
    void passesEnterpriseSecuritySettingsThrough() {
        context.withPropertyValues("caravan.kafka.properties.security.protocol=SASL_SSL",
                        "caravan.kafka.properties.sasl.mechanism=SCRAM-SHA-512",
                        "caravan.kafka.properties.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule"
                                + " required username=\"caravan\" password=\"s3cret\";",
                        "caravan.kafka.properties.ssl.truststore.location=/etc/caravan/truststore.p12",
                        "caravan.kafka.properties.ssl.truststore.type=PKCS12")
                .run(started -> {
                    assertThat(started).hasNotFailed();
                    KafkaSettings settings = started.getBean(KafkaSettings.class);
                    assertThat(settings.enabled()).isTrue();
                    assertThat(settings.properties()).containsEntry("security.protocol", "SASL_SSL")
                            .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                            .containsKey("sasl.jaas.config");
                });
    }

    @Test
    void takesClientPropertiesFromEnvironmentVariables() {
        Map<String, Object> environment = Map.of(
                "CARAVAN_KAFKA_PROPERTIES_SECURITY_PROTOCOL", "SASL_SSL",
                "CARAVAN_KAFKA_PROPERTIES_SASL_MECHANISM", "PLAIN",
                "CARAVAN_KAFKA_PROPERTIES_SASL_JAAS_CONFIG", "org.apache.kafka.common.security.plain.PlainLoginModule"
                        + " required username=\"key\" password=\"secret\";",
                "CARAVAN_KAFKA_PROPERTIES_SSL_TRUSTSTORE_LOCATION", "/etc/caravan/truststore.p12");
        context.withInitializer(started -> started.getEnvironment().getPropertySources().addFirst(
                        new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                                environment)))
                .run(started -> assertThat(started.getBean(KafkaSettings.class).properties())
                        .containsEntry("security.protocol", "SASL_SSL")
                        .containsEntry("sasl.mechanism", "PLAIN")
                        .containsEntry("ssl.truststore.location", "/etc/caravan/truststore.p12")
                        .containsKey("sasl.jaas.config"));
    }

    @Test
    void refusesAMisspeltSetting() {
        assertStartFails(context.withPropertyValues("caravan.kafka.properties.sasl.mechansim=PLAIN"),
                "caravan.kafka.properties.sasl.mechansim: not a Kafka producer setting");
    }

    @Test
    void refusesAnInvalidValueNamingTheSetting() {
        assertStartFails(context.withPropertyValues("caravan.kafka.properties.security.protocol=SASL_SSSL"),
                "security.protocol");
    }

    @Test
    void refusesToWeakenDelivery() {
        assertStartFails(context.withPropertyValues("caravan.kafka.properties.acks=1"),
                "caravan.kafka.properties.acks: always all");
        assertStartFails(context.withPropertyValues("caravan.kafka.properties.enable.idempotence=false"),
                "caravan.kafka.properties.enable.idempotence: always true");
    }

    @Test
    void checksNothingWhileKafkaIsOff() {
        new ApplicationContextRunner().withUserConfiguration(Settings.class)
                .withPropertyValues("caravan.kafka.bootstrap-servers=", "caravan.kafka.properties.acks=1")
                .run(started -> assertThat(started.getBean(KafkaSettings.class).enabled()).isFalse());
    }

    @Test
    void theGatewayDoesNotStartWithABadSetting() {
        assertThatThrownBy(() -> new SpringApplicationBuilder(CaravanApplication.class).run(
                        "--server.port=0",
                        "--spring.datasource.url=jdbc:h2:mem:bad-kafka-settings;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE",
                        "--caravan.models-file=src/test/resources/test-models.yaml",
                        "--caravan.demo.enabled=false",
                        "--caravan.kafka.bootstrap-servers=localhost:9092",
                        "--caravan.kafka.properties.sasl.mechansim=PLAIN")
                .close())
                .satisfies(failure -> assertThat(NestedExceptionUtils.getMostSpecificCause(failure).getMessage())
                        .contains("caravan.kafka.properties.sasl.mechansim"));
    }

    private static void assertStartFails(ApplicationContextRunner runner, String message) {
        runner.run(started -> assertThat(started).hasFailed()
                .getFailure().rootCause().hasMessageContaining(message));
    }
}
