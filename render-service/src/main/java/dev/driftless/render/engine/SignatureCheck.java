package dev.driftless.render.engine;

import dev.driftless.render.RenderConfig;
import dev.driftless.render.domain.Application;
import dev.driftless.render.domain.Reason;
import dev.driftless.render.domain.RenderFailure;
import dev.driftless.render.git.MirrorCache;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRingCollection;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureList;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.jcajce.JcaPGPObjectFactory;
import org.bouncycastle.openpgp.operator.jcajce.JcaKeyFingerprintCalculator;
import org.bouncycastle.openpgp.operator.jcajce.JcaPGPContentVerifierBuilderProvider;

/**
 * Checks that the commit an application is about to render is signed by a key it trusts
 * ({@code spec.source.verifySignature} names a set under {@code driftless.render.trusted-signers}): OpenPGP
 * signatures against the set's armoured public keys (Bouncy Castle), SSH signatures against its allowed-signers file
 * ({@code ssh-keygen -Y verify}, as git itself checks them). Unsigned, unknown-key, bad or expired-key signatures all fail with
 * {@link Reason#SignatureUntrusted}, saying which.
 */
@ApplicationScoped
public class SignatureCheck {

    @Inject
    RenderConfig config;

    @Inject
    MirrorCache mirrors;

    /** Passes when the application verifies nothing, or the commit is signed by one of its trusted keys. */
    public void verify(Application app, String commit) throws RenderFailure {
        if (app.verifySignature() == null) {
            return;
        }
        RenderConfig.TrustedSigners trusted = config.trustedSigners().get(app.verifySignature());
        if (trusted == null) {
            throw new RenderFailure(
                    Reason.SignatureUntrusted,
                    app.name() + " trusts the signers " + app.verifySignature()
                            + ", which are not configured (driftless.render.trusted-signers." + app.verifySignature()
                            + ")");
        }
        MirrorCache.SignedCommit signed = mirrors.signedCommit(app, commit);
        String at = "commit " + commit.substring(0, 7);
        if (signed.signature() == null) {
            throw new RenderFailure(Reason.SignatureUntrusted, at + " is not signed");
        }
        String armour = new String(signed.signature(), java.nio.charset.StandardCharsets.US_ASCII);
        if (armour.startsWith("-----BEGIN SSH SIGNATURE-----")) {
            verifySsh(app, at, trusted, signed);
        } else {
            verifyOpenPgp(app, at, trusted, signed);
        }
    }

    /**
     * SSH signatures are checked as {@code git verify-commit} does: {@code ssh-keygen -Y verify} with the allowed
     * signers file, the committer's e-mail as the principal and the {@code git} namespace (OpenSSH supports every key
     * type; the Java SSH library here lacks Ed25519 signatures).
     */
    private void verifySsh(
            Application app, String at, RenderConfig.TrustedSigners trusted, MirrorCache.SignedCommit signed)
            throws RenderFailure {
        Path allowed = trusted.sshAllowedSignersFile()
                .orElseThrow(() -> new RenderFailure(
                        Reason.SignatureUntrusted,
                        at + " is SSH-signed, and " + app.verifySignature() + " has no ssh-allowed-signers-file"));
        Path sshKeygen = ExternalRenderer.onPath("ssh-keygen")
                .orElseThrow(() -> new RenderFailure(
                        Reason.RendererUnavailable,
                        at + " is SSH-signed, and ssh-keygen is not installed to check it"));
        String principal = committerEmail(signed.payload());
        Path dir = null;
        try {
            dir = Files.createTempDirectory("driftless-signature-");
            Path signature = Files.write(dir.resolve("commit.sig"), signed.signature());
            ExternalRenderer.run(
                    java.util.List.of(
                            sshKeygen.toString(),
                            "-Y",
                            "verify",
                            "-n",
                            "git",
                            "-f",
                            allowed.toAbsolutePath().toString(),
                            "-I",
                            principal,
                            "-s",
                            signature.toString()),
                    dir,
                    java.time.Duration.ofSeconds(30),
                    64 * 1024,
                    signed.payload());
        } catch (RenderFailure e) {
            throw new RenderFailure(
                    Reason.SignatureUntrusted,
                    at + " is not signed by an allowed signer for " + principal + ": " + e.getMessage());
        } catch (IOException e) {
            throw new RenderFailure(Reason.RenderError, "cannot check the signature of " + at, e);
        } finally {
            if (dir != null) {
                try (var files = Files.walk(dir)) {
                    files.sorted(java.util.Comparator.reverseOrder())
                            .forEach(f -> f.toFile().delete());
                } catch (IOException ignored) {
                    // a temporary directory left behind
                }
            }
        }
    }

    /** The e-mail of the commit's committer, the principal its SSH signature must be allowed for. */
    static String committerEmail(byte[] payload) {
        String text = new String(payload, java.nio.charset.StandardCharsets.UTF_8);
        for (String line : text.split("\n")) {
            if (line.isEmpty()) {
                break;
            }
            if (line.startsWith("committer ") && line.contains("<") && line.contains(">")) {
                return line.substring(line.indexOf('<') + 1, line.indexOf('>'));
            }
        }
        return "unknown";
    }

    private static void verifyOpenPgp(
            Application app, String at, RenderConfig.TrustedSigners trusted, MirrorCache.SignedCommit signed)
            throws RenderFailure {
        Path keysFile = trusted.gpgPublicKeysFile()
                .orElseThrow(() -> new RenderFailure(
                        Reason.SignatureUntrusted,
                        at + " is OpenPGP-signed, and " + app.verifySignature() + " has no gpg-public-keys-file"));
        PGPSignature signature;
        try {
            Object first = new JcaPGPObjectFactory(
                            PGPUtil.getDecoderStream(new ByteArrayInputStream(signed.signature())))
                    .nextObject();
            if (!(first instanceof PGPSignatureList list) || list.isEmpty()) {
                throw new RenderFailure(Reason.SignatureUntrusted, at + " carries no readable OpenPGP signature");
            }
            signature = list.get(0);
        } catch (IOException e) {
            throw new RenderFailure(Reason.SignatureUntrusted, at + " carries no readable OpenPGP signature");
        }
        PGPPublicKey key;
        try (InputStream keys = PGPUtil.getDecoderStream(Files.newInputStream(keysFile))) {
            key = new PGPPublicKeyRingCollection(keys, new JcaKeyFingerprintCalculator())
                    .getPublicKey(signature.getKeyID());
        } catch (IOException | PGPException e) {
            throw new RenderFailure(
                    Reason.SignatureUntrusted,
                    "the keys of " + app.verifySignature() + " cannot be read: " + e.getMessage());
        }
        String keyId = HexFormat.of()
                .formatHex(java.nio.ByteBuffer.allocate(8)
                        .putLong(signature.getKeyID())
                        .array());
        if (key == null) {
            throw new RenderFailure(
                    Reason.SignatureUntrusted,
                    at + " is signed by key " + keyId + ", which " + app.verifySignature() + " does not trust");
        }
        try {
            signature.init(new JcaPGPContentVerifierBuilderProvider(), key);
            signature.update(signed.payload());
            if (!signature.verify()) {
                throw new RenderFailure(
                        Reason.SignatureUntrusted, at + ": the signature by key " + keyId + " does not match");
            }
        } catch (PGPException e) {
            throw new RenderFailure(
                    Reason.SignatureUntrusted,
                    at + ": the signature by key " + keyId + " cannot be checked: " + e.getMessage());
        }
        if (key.hasRevocation()) {
            throw new RenderFailure(Reason.SignatureUntrusted, at + " is signed by revoked key " + keyId);
        }
        long validSeconds = key.getValidSeconds();
        if (validSeconds > 0
                && signature
                        .getCreationTime()
                        .toInstant()
                        .isAfter(key.getCreationTime().toInstant().plusSeconds(validSeconds))) {
            throw new RenderFailure(Reason.SignatureUntrusted, at + " is signed by expired key " + keyId);
        }
    }
}
