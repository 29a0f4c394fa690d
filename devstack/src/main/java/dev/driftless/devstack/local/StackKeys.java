package dev.driftless.devstack.local;

import dev.driftless.events.SealedSecrets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The keys of the local stack, made on the first {@code ./driftless up} and kept in the state directory: the age key
 * that seals Secrets between render-service and sync-service, as {@code age-keygen} would write it (sync-service's
 * identity, private, {@code rw-------}; its recipient for render-service), the digest key (private), and
 * render-service's Ed25519 key pair that signs render events (private) with its public half for sync-service.
 *
 * @param identities sync-service's identity file
 * @param recipients render-service's recipients file
 * @param digestKey render-service's digest key file
 * @param signingKey render-service's signing key pair (PEM)
 * @param signingPublicKey its public key, which sync-service trusts (PEM)
 * @param auditSigningKey audit-service's key pair, signing its commands (PEM)
 * @param syncSigningKey sync-service's key pair, signing its commands (PEM)
 * @param commandSigners both their public keys, which render-service trusts with commands (PEM)
 * @param webhookSigningKey webhook-service's key pair, signing the pushes it publishes (PEM)
 * @param pushSigners its public key, which render-service trusts with pushes (PEM)
 */
public record StackKeys(
        Path identities,
        Path recipients,
        Path digestKey,
        Path signingKey,
        Path signingPublicKey,
        Path auditSigningKey,
        Path syncSigningKey,
        Path commandSigners,
        Path webhookSigningKey,
        Path pushSigners) {

    /** The keys under {@code dir}, made when missing. */
    public static StackKeys stored(Path dir) throws IOException {
        Files.createDirectories(dir);
        StackKeys keys = new StackKeys(
                dir.resolve("sync-service.agekey"),
                dir.resolve("render-service.recipients"),
                dir.resolve("digest.key"),
                dir.resolve("render-signing.pem"),
                dir.resolve("render-signing.pub"),
                dir.resolve("audit-signing.pem"),
                dir.resolve("sync-signing.pem"),
                dir.resolve("command-signers.pub"),
                dir.resolve("webhook-signing.pem"),
                dir.resolve("push-signers.pub"));
        if (!Files.exists(keys.signingKey()) || !Files.exists(keys.signingPublicKey())) {
            String pair = dev.driftless.events.EventSignatures.generatePem();
            writePrivate(keys.signingKey(), pair);
            Files.writeString(keys.signingPublicKey(), dev.driftless.events.EventSignatures.publicPem(pair));
        }
        if (!Files.exists(keys.auditSigningKey())
                || !Files.exists(keys.syncSigningKey())
                || !Files.exists(keys.commandSigners())) {
            String audit = dev.driftless.events.EventSignatures.generatePem();
            String sync = dev.driftless.events.EventSignatures.generatePem();
            writePrivate(keys.auditSigningKey(), audit);
            writePrivate(keys.syncSigningKey(), sync);
            Files.writeString(
                    keys.commandSigners(),
                    dev.driftless.events.EventSignatures.publicPem(audit)
                            + dev.driftless.events.EventSignatures.publicPem(sync));
        }
        if (!Files.exists(keys.webhookSigningKey()) || !Files.exists(keys.pushSigners())) {
            String webhook = dev.driftless.events.EventSignatures.generatePem();
            writePrivate(keys.webhookSigningKey(), webhook);
            Files.writeString(keys.pushSigners(), dev.driftless.events.EventSignatures.publicPem(webhook));
        }
        if (!Files.exists(keys.identities()) || !Files.exists(keys.recipients())) {
            SealedSecrets.AgeKey key = SealedSecrets.generate();
            writePrivate(
                    keys.identities(),
                    "# sync-service's age identity: opens the Secrets render-service seals\n# public key: "
                            + key.recipient() + "\n" + key.identity() + "\n");
            Files.writeString(keys.recipients(), key.recipient() + "\n");
        }
        if (!Files.exists(keys.digestKey())) {
            byte[] random = new byte[32];
            new SecureRandom().nextBytes(random);
            writePrivate(keys.digestKey(), Base64.getEncoder().encodeToString(random) + "\n");
        }
        return keys;
    }

    private static void writePrivate(Path file, String content) throws IOException {
        Path partial = file.resolveSibling(file.getFileName() + ".partial");
        Files.deleteIfExists(partial);
        Files.createFile(partial);
        try {
            Files.setPosixFilePermissions(partial, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system
        }
        Files.writeString(partial, content);
        Files.move(partial, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
