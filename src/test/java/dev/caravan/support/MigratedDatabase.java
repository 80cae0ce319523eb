package dev.caravan.support;

import java.util.UUID;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A new, empty database with the gateway's migrations applied, for tests of one component against
 * real SQL: H2 in memory, or, with {@code -Dcaravan.test.database=postgres}, a new schema in the
 * PostgreSQL that {@link PostgresTestDatabase} names.
 */
public final class MigratedDatabase {

    private MigratedDatabase() {
    }

    public static DataSource fresh(String name) {
        String unique = name + "_" + UUID.randomUUID().toString().replace("-", "");
        DataSource dataSource;
        if ("postgres".equals(System.getProperty("caravan.test.database"))) {
            PGSimpleDataSource postgres = new PGSimpleDataSource();
            postgres.setUrl(PostgresTestDatabase.URL);
            postgres.setUser(PostgresTestDatabase.USER);
            postgres.setPassword(PostgresTestDatabase.PASSWORD);
            postgres.setCurrentSchema(unique);
            Flyway.configure().dataSource(postgres).schemas(unique).createSchemas(true)
                    .locations("classpath:db/migration").load().migrate();
            return postgres;
        }
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:" + unique + ";DB_CLOSE_DELAY=-1;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH");
        dataSource = h2;
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
        return dataSource;
    }
}
