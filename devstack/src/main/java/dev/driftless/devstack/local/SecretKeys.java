package dev.driftless.devstack.local;

import dev.driftless.events.SealedSecrets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The keys that seal Secrets between render-service and sync-service in the local stack, made on the first
 * {@code ./driftless up} and kept in the state directory as {@code age-keygen} would write them: sync-service's
 * identity (private, {@code rw-------}), its recipient for render-service, and the digest key (private).
 *
 * @param identities sync-service's identity file
 * @param recipients render-service's recipients file
 * @param digestKey render-service's digest key file
 */
record SecretKeys(Path identities, Path recipients, Path digestKey) {

    /** The keys under {@code dir}, made when missing. */
    static SecretKeys stored(Path dir) throws IOException {
        Files.createDirectories(dir);
        SecretKeys keys = new SecretKeys(
                dir.resolve("sync-service.agekey"),
                dir.resolve("render-service.recipients"),
                dir.resolve("digest.key"));
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
