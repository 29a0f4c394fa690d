package dev.driftless.audit.offline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.driftless.audit.domain.HashChain;
import dev.driftless.audit.store.LogVerification;
import dev.driftless.events.ChainCheckpoint;
import dev.driftless.events.EventCodec;
import dev.driftless.events.EventSignatures;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * Verifies the change log without audit-service: {@code ./driftless verify --checkpoints FILE --public-key FILE
 * [--db-url URL] [--db-user USER] [--schema SCHEMA]}, with the password in {@code DRIFTLESS_DB_PASSWORD}. The
 * checkpoint file is what {@code GET /api/checkpoints} answered, kept somewhere the database's holders cannot reach;
 * its signature is checked with the public key first. Then every chain is walked, every archived month looked for,
 * and every head the checkpoint saw compared, straight from the database (a read-only login suffices). Prints one line
 * per problem with its word; exits 0 when the log is intact, 1 when it is not, 2 when it cannot tell (a bad argument,
 * a checkpoint whose signature does not hold, no database).
 */
public final class OfflineVerifier {

    private OfflineVerifier() {}

    public static void main(String[] args) {
        System.exit(run(args, System.getenv(), System.out, System.err));
    }

    /** Runs a verification; returns the exit code. */
    public static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        Map<String, String> options = new HashMap<>();
        options.put("--db-url", env.getOrDefault("DRIFTLESS_DB_URL", "jdbc:postgresql://127.0.0.1:5432/postgres"));
        options.put("--db-user", env.getOrDefault("DRIFTLESS_DB_USER", "postgres"));
        options.put("--schema", env.getOrDefault("DRIFTLESS_DB_SCHEMA", "driftless"));
        for (int i = 0; i < args.length; i++) {
            if (!List.of("--checkpoints", "--public-key", "--db-url", "--db-user", "--schema")
                            .contains(args[i])
                    || i + 1 >= args.length) {
                err.println("usage: driftless verify --checkpoints FILE --public-key FILE [--db-url URL]"
                        + " [--db-user USER] [--schema SCHEMA]   (password: DRIFTLESS_DB_PASSWORD)");
                return 2;
            }
            options.put(args[i], args[++i]);
        }
        if (!options.containsKey("--checkpoints") || !options.containsKey("--public-key")) {
            err.println("driftless verify: --checkpoints FILE and --public-key FILE are needed");
            return 2;
        }
        ChainCheckpoint checkpoint;
        try {
            Optional<String> problem =
                    signatureProblem(Path.of(options.get("--checkpoints")), Path.of(options.get("--public-key")));
            if (problem.isPresent()) {
                err.println("CheckpointUntrusted: " + problem.get() + "; nothing verified");
                return 2;
            }
            JsonNode signed = new ObjectMapper().readTree(Files.readString(Path.of(options.get("--checkpoints"))));
            if (!dev.driftless.events.EventType.AUDIT_CHECKPOINT
                    .type()
                    .equals(signed.path("type").asText())) {
                err.println("CheckpointUntrusted: the file holds a "
                        + signed.path("type").asText() + ", not a checkpoint; nothing verified");
                return 2;
            }
            checkpoint =
                    EventCodec.decode(ChainCheckpoint.class, signed.path("data").asText());
        } catch (IOException | RuntimeException e) {
            err.println("driftless verify: cannot read the checkpoint or key: " + e.getMessage());
            return 2;
        }
        Properties login = new Properties();
        login.setProperty("user", options.get("--db-user"));
        login.setProperty("password", env.getOrDefault("DRIFTLESS_DB_PASSWORD", ""));
        login.setProperty("currentSchema", options.get("--schema"));
        login.setProperty("readOnly", "true");
        try (Connection c = DriverManager.getConnection(options.get("--db-url"), login)) {
            List<HashChain.Break> broken = LogVerification.problems(c, checkpoint);
            for (HashChain.Break b : broken) {
                out.printf(
                        "%s chain=%s seq=%d%s: %s%n",
                        b.reason(),
                        b.chain(),
                        b.seq(),
                        b.eventId() == null ? "" : " event=" + b.eventId(),
                        b.problem());
            }
            out.printf(
                    "%s: %d problem(s), against the checkpoint of %s (%d chains)%n",
                    broken.isEmpty() ? "intact" : "BROKEN",
                    broken.size(),
                    checkpoint.at(),
                    checkpoint.heads().size());
            return broken.isEmpty() ? 0 : 1;
        } catch (SQLException e) {
            err.println("driftless verify: cannot read the change log: " + e.getMessage());
            return 2;
        }
    }

    /** What is wrong with a saved checkpoint's signature, or empty when the public key's owner signed it as it is. */
    static Optional<String> signatureProblem(Path checkpointFile, Path publicKey) throws IOException {
        JsonNode signed = new ObjectMapper().readTree(Files.readString(checkpointFile));
        return EventSignatures.Verifier.read(publicKey)
                .problem(
                        signed.path("id").asText(),
                        signed.path("type").asText(),
                        signed.path("data").asText(),
                        Map.of(
                                EventSignatures.SIGNATURE,
                                        signed.path("signature").asText(),
                                EventSignatures.KEY_ID, signed.path("keyId").asText()));
    }
}
