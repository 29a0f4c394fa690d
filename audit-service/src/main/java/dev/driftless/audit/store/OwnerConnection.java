package dev.driftless.audit.store;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Optional;
import java.util.Properties;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * A connection as the owner of the change log's schema: the login Flyway migrates as ({@code quarkus.flyway.username},
 * {@code DRIFTLESS_DB_OWNER_USER}), for the one thing audit-service does beyond inserting and reading, redacting
 * Secrets that older versions recorded in clear. Everything else runs as the datasource's login, which owns nothing.
 * Without an owner login of its own (user and password), the datasource's login is used (a single-login install).
 */
@ApplicationScoped
public class OwnerConnection {

    @Inject
    AgroalDataSource dataSource;

    @ConfigProperty(name = "quarkus.flyway.username")
    Optional<String> ownerUser;

    @ConfigProperty(name = "quarkus.flyway.password")
    Optional<String> ownerPassword;

    @ConfigProperty(name = "quarkus.datasource.username")
    Optional<String> runtimeUser;

    @ConfigProperty(name = "quarkus.datasource.jdbc.url")
    String url;

    @ConfigProperty(name = "quarkus.datasource.jdbc.additional-jdbc-properties.currentSchema")
    Optional<String> schema;

    /** A new connection as the owner; the caller closes it. */
    public Connection open() throws SQLException {
        // as Quarkus's Flyway: its own login only when both user and password are set
        if (ownerUser.isEmpty() || ownerPassword.isEmpty() || ownerUser.equals(runtimeUser)) {
            return dataSource.getConnection();
        }
        Properties properties = new Properties();
        properties.setProperty("user", ownerUser.get());
        ownerPassword.ifPresent(password -> properties.setProperty("password", password));
        schema.ifPresent(s -> properties.setProperty("currentSchema", s));
        return DriverManager.getConnection(url, properties);
    }
}
