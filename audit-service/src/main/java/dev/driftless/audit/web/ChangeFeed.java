package dev.driftless.audit.web;

import dev.driftless.audit.domain.StoredEvent;
import dev.driftless.audit.store.ChangeLog;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.MultiEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * The change log as it grows, for whoever follows it live (the console, {@code driftless tail}): one query for
 * entries after the last position seen, every half second and only while someone follows, whatever the number of
 * followers; each follower is sent the summarised entries its token may see. It reads the database, not this
 * replica's consumer, so every replica's followers see every entry.
 */
@ApplicationScoped
public class ChangeFeed {

    private static final Logger LOG = Logger.getLogger(ChangeFeed.class);
    private static final int BATCH = 500;

    /** One follower: where to send and what it may see. */
    private record Follower(MultiEmitter<? super Map<String, Object>> emitter, Visibility visible) {}

    private final Set<Follower> followers = ConcurrentHashMap.newKeySet();
    private volatile long position = -1;

    @Inject
    ChangeLog changeLog;

    /** Entries recorded from now on that the caller may see, summarised, until the caller goes away. */
    Multi<Map<String, Object>> follow(Visibility visible) throws SQLException {
        long head = changeLog.head();
        return Multi.createFrom().emitter(emitter -> {
            Follower follower = new Follower(emitter, visible);
            synchronized (this) {
                if (position < 0) {
                    position = head;
                }
                followers.add(follower);
            }
            emitter.onTermination(() -> followers.remove(follower));
        });
    }

    /** How many follow now. */
    public int followers() {
        return followers.size();
    }

    @Scheduled(every = "0.5s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void tail() {
        synchronized (this) {
            if (followers.isEmpty()) {
                position = -1; // the next follower starts from the head of the log then
                return;
            }
        }
        try {
            List<StoredEvent> added;
            do {
                added = changeLog.after(Math.max(position, 0), BATCH);
                for (StoredEvent event : added) {
                    Map<String, Object> item = ChangesResource.item(event);
                    item.put("position", event.seq());
                    for (Follower follower : followers) {
                        if (follower.visible().sees(event.application())) {
                            follower.emitter().emit(item);
                        }
                    }
                    position = event.seq();
                }
            } while (added.size() == BATCH);
        } catch (SQLException e) {
            LOG.warnf("the change feed cannot read the log (retried in half a second): %s", e.getMessage());
        }
    }
}
