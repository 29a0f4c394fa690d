package dev.driftless.webhook;

import dev.driftless.devstack.git.GitFixture;
import dev.driftless.devstack.git.GitServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** A repository on a real devstack Git server (sending no webhooks), configured to be polled every 300 ms. */
public class PolledRepository implements QuarkusTestResourceLifecycleManager {

    private GitServer git;

    @Override
    public Map<String, String> start() {
        try {
            Path root = Files.createTempDirectory("polled");
            git = GitServer.start(0, root.resolve("repos"), null);
            String url = git.repositoryUrl("polled");
            GitFixture.create(root.resolve("seed"), url).commitAndPush("first", Map.of("a.yaml", "a: 1\n"));
            Map<String, String> config = new HashMap<>(InMemoryCommits.inMemory());
            config.put("driftless.webhook.poll.polled.url", url);
            config.put("driftless.webhook.poll.polled.interval", "300ms");
            config.put("driftless.webhook.repositories", "");
            config.put("test.polled.url", url);
            return config;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        git.close();
        InMemoryCommits.clearAll();
    }
}
