package dev.driftless.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventSignaturesTest {

    static final String TYPE = EventType.RENDER_SUCCEEDED.type();

    @Test
    void aSignatureHoldsForExactlyTheIdTypeAndDataSignedByATrustedKey(@TempDir Path dir) throws Exception {
        String pair = EventSignatures.generatePem();
        Path keyFile = Files.writeString(dir.resolve("key.pem"), pair);
        Path otherFile = Files.writeString(dir.resolve("other.pem"), EventSignatures.generatePem());
        Path trust = Files.writeString(
                dir.resolve("trusted.pem"),
                EventSignatures.publicPem(Files.readString(otherFile)) + EventSignatures.publicPem(pair));
        EventSignatures.Signer signer = EventSignatures.Signer.read(keyFile);
        EventSignatures.Verifier verifier = EventSignatures.Verifier.read(trust);
        assertThat(verifier.keyIds()).hasSize(2).contains(signer.keyId());

        Map<String, Object> signed = new HashMap<>(signer.sign("id-1", TYPE, "{\"a\":1}"));

        assertThat(verifier.problem("id-1", TYPE, "{\"a\":1}", signed)).isEmpty();
        assertThat(verifier.problem("id-1", TYPE, "{\"a\":2}", signed))
                .hasValueSatisfying(p -> assertThat(p).contains("does not match"));
        assertThat(verifier.problem("id-2", TYPE, "{\"a\":1}", signed)).isPresent();
        assertThat(verifier.problem("id-1", EventType.APPLICATION_REMOVED.type(), "{\"a\":1}", signed))
                .isPresent();
        assertThat(verifier.problem("id-1", TYPE, "{\"a\":1}", Map.of()))
                .hasValueSatisfying(p -> assertThat(p).contains("no signature"));
        Map<String, Object> byStranger = new HashMap<>(EventSignatures.Signer.read(
                        Files.writeString(dir.resolve("stranger.pem"), EventSignatures.generatePem()))
                .sign("id-1", TYPE, "{\"a\":1}"));
        assertThat(verifier.problem("id-1", TYPE, "{\"a\":1}", byStranger))
                .hasValueSatisfying(p -> assertThat(p).contains("not trusted"));
    }

    /**
     * The signatures are RFC 8032 Ed25519, the JDK's byte for byte: events signed before signing moved to Bouncy Castle
     * (and by any other Ed25519 tool) still verify, and the JDK checks what Driftless signs.
     */
    @Test
    void signaturesAreTheJdksEd25519ByteForByte(@TempDir Path dir) throws Exception {
        java.security.KeyPair pair =
                java.security.KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        String pem = "-----BEGIN PRIVATE KEY-----\n"
                + java.util.Base64.getMimeEncoder()
                        .encodeToString(pair.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n-----BEGIN PUBLIC KEY-----\n"
                + java.util.Base64.getMimeEncoder()
                        .encodeToString(pair.getPublic().getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
        Path keyFile = Files.writeString(dir.resolve("key.pem"), pem);
        byte[] content = EventSignatures.signed("id-1", TYPE, "{\"a\":1}");

        java.security.Signature jdk = java.security.Signature.getInstance("Ed25519");
        jdk.initSign(pair.getPrivate());
        jdk.update(content);
        String byJdk = java.util.Base64.getEncoder().encodeToString(jdk.sign());
        Map<String, String> ours = EventSignatures.Signer.read(keyFile).sign("id-1", TYPE, "{\"a\":1}");
        assertThat(ours.get(EventSignatures.SIGNATURE)).isEqualTo(byJdk);

        java.security.Signature check = java.security.Signature.getInstance("Ed25519");
        check.initVerify(pair.getPublic());
        check.update(content);
        assertThat(check.verify(java.util.Base64.getDecoder().decode(ours.get(EventSignatures.SIGNATURE))))
                .isTrue();
        Map<String, Object> signedByJdk = new HashMap<>(Map.of(
                EventSignatures.SIGNATURE, byJdk, EventSignatures.KEY_ID, EventSignatures.keyId(pair.getPublic())));
        assertThat(EventSignatures.Verifier.read(keyFile).problem("id-1", TYPE, "{\"a\":1}", signedByJdk))
                .isEmpty();
        signedByJdk.put(EventSignatures.SIGNATURE, "not base64 at all!");
        assertThat(EventSignatures.Verifier.read(keyFile).problem("id-1", TYPE, "{\"a\":1}", signedByJdk))
                .hasValueSatisfying(p -> assertThat(p).contains("cannot be read"));
    }

    @Test
    void keyFilesWithoutTheRightKeysAreRefusedNamingTheFile(@TempDir Path dir) throws Exception {
        Path publicOnly =
                Files.writeString(dir.resolve("public.pem"), EventSignatures.publicPem(EventSignatures.generatePem()));
        assertThatThrownBy(() -> EventSignatures.Signer.read(publicOnly))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("public.pem");
        Path empty = Files.writeString(dir.resolve("empty.pem"), "# nothing\n");
        assertThatThrownBy(() -> EventSignatures.Verifier.read(empty)).hasMessageContaining("no PEM PUBLIC KEY");
        assertThat(EventSignatures.Signer.read(Files.writeString(dir.resolve("k.pem"), EventSignatures.generatePem()))
                        .toString())
                .doesNotContain("PRIVATE");
        // a private key with another key's public half: every event it signed would be refused downstream
        String one = EventSignatures.generatePem();
        String other = EventSignatures.generatePem();
        Path mismatched = Files.writeString(
                dir.resolve("mismatched.pem"),
                one.substring(0, one.indexOf("-----BEGIN PUBLIC KEY-----")) + EventSignatures.publicPem(other));
        assertThatThrownBy(() -> EventSignatures.Signer.read(mismatched))
                .hasMessageContaining("mismatched.pem")
                .hasMessageContaining("not the public half");
    }
}
