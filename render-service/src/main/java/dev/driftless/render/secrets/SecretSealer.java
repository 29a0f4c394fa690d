package dev.driftless.render.secrets;

import dev.driftless.events.SealedSecrets;
import dev.driftless.render.RenderConfig;
import dev.driftless.render.domain.Reason;
import dev.driftless.render.domain.RenderFailure;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Seals every Secret of a render before it leaves render-service ({@link SealedSecrets}): its values encrypted to
 * sync-service's age recipients and replaced by keyed digests. A Secret committed encrypted with SOPS (a top-level
 * {@code sops} map) is passed through as it is: its values are ciphertext already, and sync-service decrypts them.
 * The key files are read at each render that has a Secret to seal, so a rotated recipients file takes effect without
 * a restart.
 */
@ApplicationScoped
public class SecretSealer {

    @Inject
    RenderConfig config;

    /** The manifests with every Secret sealed; the others as they are. */
    public List<Map<String, Object>> seal(List<Map<String, Object>> manifests) throws RenderFailure {
        if (manifests.stream().noneMatch(SecretSealer::toSeal)) {
            return manifests;
        }
        SealedSecrets.SealingKey key = key(manifests);
        List<Map<String, Object>> sealed = new ArrayList<>(manifests.size());
        for (Map<String, Object> manifest : manifests) {
            if (!toSeal(manifest)) {
                sealed.add(manifest);
                continue;
            }
            try {
                sealed.add(SealedSecrets.seal(manifest, key));
            } catch (SealedSecrets.SecretException e) {
                throw new RenderFailure(Reason.valueOf(e.reason()), e.getMessage());
            }
        }
        return sealed;
    }

    /** A Secret in clear: one committed with SOPS is ciphertext already. */
    static boolean toSeal(Map<String, Object> manifest) {
        return SealedSecrets.isSecret(manifest) && !(manifest.get("sops") instanceof Map<?, ?>);
    }

    private SealedSecrets.SealingKey key(List<Map<String, Object>> manifests) throws RenderFailure {
        var secrets = config.secrets();
        if (secrets.recipientsFile().isEmpty() || secrets.digestKeyFile().isEmpty()) {
            throw new RenderFailure(
                    Reason.SecretKeyMissing,
                    "the render has "
                            + manifests.stream().filter(SecretSealer::toSeal).count()
                            + " Secret(s) and render-service has no key to seal them with"
                            + " (driftless.render.secrets.recipients-file and .digest-key-file); nothing is"
                            + " published in clear");
        }
        try {
            return SealedSecrets.SealingKey.read(
                    secrets.recipientsFile().get(), secrets.digestKeyFile().get());
        } catch (SealedSecrets.SecretException e) {
            throw new RenderFailure(Reason.SecretKeyMissing, e.getMessage());
        }
    }
}
