package dev.driftless.events;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

/**
 * The public keys a consumer trusts to have signed the events it acts on ({@link EventSignatures}), read from the file
 * a configuration property names, and read again at most every ten seconds so a rotation needs no restart. Without
 * the property every event is refused: nothing unsigned is acted on.
 */
public final class TrustedSigners {

    private static final Logger LOG = Logger.getLogger(TrustedSigners.class);
    private static final long REREAD_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final String property;
    private volatile EventSignatures.Verifier verifier;
    private volatile long readAt;

    /** The keys of the file {@code property} names. */
    public TrustedSigners(String property) {
        this.property = property;
    }

    /**
     * Reads the trusted keys now, at start, rather than for the first event (a service's first push waited for it);
     * what cannot be read is left for {@link #problem} to say for each event, as before.
     */
    public void prepare() {
        Optional<Path> file = ConfigProvider.getConfig().getOptionalValue(property, Path.class);
        if (file.isPresent()) {
            verifier(file.get());
        }
    }

    /** What is wrong with an event's signature, or empty when a trusted key signed exactly its id, type and data. */
    public Optional<String> problem(ReceivedEvent event) {
        Optional<Path> file = ConfigProvider.getConfig().getOptionalValue(property, Path.class);
        if (file.isEmpty()) {
            return Optional.of("no signing key is trusted (" + property + ")");
        }
        Optional<String> unreadable = verifier(file.get());
        if (unreadable.isPresent()) {
            return unreadable;
        }
        return verifier.problem(event.id(), event.type(), event.json(), event.extensions());
    }

    /** Reads the keys when never read or read more than ten seconds ago; says why when none could ever be read. */
    private Optional<String> verifier(Path file) {
        long now = System.nanoTime();
        if (verifier == null || now - readAt > REREAD_NANOS) {
            try {
                verifier = EventSignatures.Verifier.read(file);
                readAt = now;
            } catch (IOException | IllegalArgumentException e) {
                if (verifier == null) {
                    return Optional.of("the trusted keys cannot be read: " + e.getMessage());
                }
                LOG.warnf("the trusted keys cannot be read again, keeping those read before: %s", e.getMessage());
            }
        }
        return Optional.empty();
    }

    /**
     * The signer of the key pair file a property names, or {@code null} (with a warning: what it publishes is refused
     * by its consumers) when the property is not set.
     *
     * @throws IllegalStateException when the file is set but cannot be read
     */
    public static EventSignatures.Signer signer(String property) {
        Optional<Path> file = ConfigProvider.getConfig().getOptionalValue(property, Path.class);
        if (file.isEmpty()) {
            LOG.warnf("%s is not set: the events this service publishes go unsigned and are refused", property);
            return null;
        }
        try {
            EventSignatures.Signer signer = EventSignatures.Signer.read(file.get());
            LOG.infof("events are signed with key %s", signer.keyId());
            return signer;
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalStateException("cannot read " + property + " " + file.get() + ": " + e.getMessage(), e);
        }
    }
}
