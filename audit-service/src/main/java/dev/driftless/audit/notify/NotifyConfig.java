package dev.driftless.audit.notify;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Where notifications go ({@code driftless.notify}): HTTP endpoints by name, each with its format and routing. */
@ConfigMapping(prefix = "driftless.notify")
public interface NotifyConfig {

    /** The endpoints, by a name of the operator's choosing; none by default (nothing is sent). */
    Map<String, Endpoint> endpoints();

    /** The console's address, for a link to the commit's trace in each message ({@code DRIFTLESS_CONSOLE_URL}). */
    Optional<String> consoleUrl();

    /** The first wait before a failed delivery is tried again; doubled each time, up to {@link #maxBackoff()}. */
    @WithDefault("1s")
    Duration backoff();

    /** The longest wait between two attempts of a delivery. */
    @WithDefault("5m")
    Duration maxBackoff();

    /** How long a delivery is retried before it is given up (counted and logged). */
    @WithDefault("24h")
    Duration giveUpAfter();

    /** How long one attempt may take. */
    @WithDefault("10s")
    Duration timeout();

    /** How long a rendered commit may stay unapplied before an {@code out-of-sync} notice is sent. */
    @WithDefault("10m")
    Duration outOfSyncAfter();

    /** How often the out-of-sync check runs ({@code @Scheduled} reads it by name). */
    @WithDefault("30s")
    Duration checkInterval();

    /** One endpoint. */
    interface Endpoint {
        /** Its address ({@code https://hooks.slack.com/services/…}); never logged, it is often a secret. */
        String url();

        /** The body: {@code json} (generic), {@code slack} or {@code teams}. */
        @WithDefault("json")
        String format();

        /**
         * What it is told about: {@code sync-failed}, {@code health-degraded}, {@code drift-detected},
         * {@code out-of-sync}; every kind when unset.
         */
        Optional<List<String>> events();

        /** The projects whose applications it is told about; every project when unset. */
        Optional<List<String>> projects();

        /** The value of the {@code Authorization} header, if the endpoint wants one; never logged. */
        Optional<String> authorization();
    }
}
