package dev.caravan.support;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

import javax.sql.DataSource;

import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.datasource.DelegatingDataSource;

/**
 * An outage of the embedded database, which has no server to stop: while it is {@link #down()}, the
 * connection pool cannot hand out a connection, as Hikari fails when its database is unreachable
 * (after its connection-timeout, with an {@link SQLTransientConnectionException}). Connections taken
 * before go on working until they are returned.
 */
public final class DatabaseOutage {

    private static volatile boolean down;

    private DatabaseOutage() {
    }

    public static void down() {
        down = true;
    }

    public static void up() {
        down = false;
    }

    /** Puts every DataSource of the test context behind the outage switch. */
    @TestConfiguration(proxyBeanMethods = false)
    public static class Config {
        @Bean
        static BeanPostProcessor databaseOutageSwitch() {
            return new BeanPostProcessor() {
                @Override
                public Object postProcessAfterInitialization(Object bean, String name) {
                    return bean instanceof DataSource dataSource && !(bean instanceof Switched)
                            ? new Switched(dataSource) : bean;
                }
            };
        }
    }

    private static final class Switched extends DelegatingDataSource {
        Switched(DataSource target) {
            super(target);
        }

        @Override
        public Connection getConnection() throws SQLException {
            refuseWhileDown();
            return super.getConnection();
        }

        @Override
        public Connection getConnection(String username, String password) throws SQLException {
            refuseWhileDown();
            return super.getConnection(username, password);
        }

        private static void refuseWhileDown() throws SQLTransientConnectionException {
            if (down) {
                throw new SQLTransientConnectionException("HikariPool - Connection is not available (test outage)");
            }
        }
    }
}
