package dev.driftless.sync.secrets;

import dev.driftless.events.RenderSucceeded;
import dev.driftless.events.SealedSecrets;
import dev.driftless.sync.SyncConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Opens the Secrets render-service sealed ({@link SealedSecrets}), and the manifests committed encrypted with SOPS for
 * age ({@link Sops}), with sync-service's age identities, in memory, just before a render is planned and applied; the
 * values never leave this process except to the API server.
 */
@ApplicationScoped
public class SecretOpener {

    @Inject
    SyncConfig config;

    /** Why a render's Secrets cannot be opened, with a message that names the Secret and the key ids, never a value. */
    public static final class Undecryptable extends Exception {
        Undecryptable(String message) {
            super(message);
        }
    }

    /** How a manifest is named in messages: kind, namespace and name, never a value. */
    @SuppressWarnings("unchecked")
    static String describe(Map<String, Object> manifest) {
        Object metadata = manifest.get("metadata");
        Map<String, Object> meta = metadata instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
        Object namespace = meta.get("namespace");
        String object = manifest.get("kind") + " " + (namespace == null ? "" : namespace + "/") + meta.get("name");
        Object source = manifest.get(Sops.METADATA) instanceof Map<?, ?> sops ? sops.get("driftlessSource") : null;
        return source == null ? object : object + " (" + source + ")";
    }

    /** The render with every sealed Secret opened; the render itself when it has none. */
    public RenderSucceeded open(RenderSucceeded render) throws Undecryptable {
        if (render.manifests().stream().noneMatch(m -> SealedSecrets.isSealed(m) || Sops.isEncrypted(m))) {
            return render;
        }
        if (config.secretsIdentityFile().isEmpty()) {
            throw new Undecryptable("the render has sealed or SOPS-encrypted manifests and sync-service has no"
                    + " identity to open them (driftless.sync.secrets.identity-file)");
        }
        try {
            SealedSecrets.OpeningKey key =
                    SealedSecrets.OpeningKey.read(config.secretsIdentityFile().get());
            List<Map<String, Object>> opened =
                    new ArrayList<>(render.manifests().size());
            for (Map<String, Object> manifest : render.manifests()) {
                if (SealedSecrets.isSealed(manifest)) {
                    opened.add(SealedSecrets.open(manifest, key));
                } else if (Sops.isEncrypted(manifest)) {
                    opened.add(Sops.decrypt(manifest, key.identities(), describe(manifest)));
                } else {
                    opened.add(manifest);
                }
            }
            return render.withManifests(opened);
        } catch (SealedSecrets.SecretException e) {
            throw new Undecryptable(e.getMessage());
        }
    }
}
