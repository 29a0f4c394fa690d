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
 * followers; each follower is sent the summarised entries its token may see (decided again at every pass: a project
 * may change), from the head of the log when it started on. It reads the database, not this replica's consumer, so
 * every replica's followers see every entry. Positions are taken before their transactions commit, so an entry may
 * commit after a later one: each pass reads again from where the log stood a few seconds before and sends only what
 * it has not sent. A heartbeat every 15 s keeps connections through proxies and finds followers that went away.
 */
@ApplicationScoped
public class ChangeFeed {

    private static final Logger LOG = Logger.getLogger(ChangeFeed.class);
    private static final int BATCH = 500;
    /** How long an entry may take to commit after a later one and still be sent. */
    private static final java.time.Duration LOOKBACK = java.time.Duration.ofSeconds(5);

    private static final java.time.Duration HEARTBEAT = java.time.Duration.ofSeconds(15);

    /** One follower: where to send, whose token it is, and the head of the log when it started. */
    private record Follower(
            MultiEmitter<? super Map<String, Object>> emitter,
            dev.driftless.events.ApiTokens.Caller caller,
            long from) {}

    private final Set<Follower> followers = ConcurrentHashMap.newKeySet();
    /** Positions sent since the oldest position read again, so nothing is sent twice. */
    private final java.util.NavigableSet<Long> sent = new java.util.concurrent.ConcurrentSkipListSet<>();
    /** The position read up to, with when: the oldest not older than {@link #LOOKBACK} is where a pass starts. */
    private final java.util.Deque<long[]> marks = new java.util.ArrayDeque<>();

    private volatile long position = -1;
    private volatile long lastHeartbeat = System.nanoTime();

    @Inject
    ChangeLog changeLog;

    /** Entries recorded from now on that the caller may see, summarised, until the caller goes away. */
    Multi<Map<String, Object>> follow(dev.driftless.events.ApiTokens.Caller caller) throws SQLException {
        long head = changeLog.head();
        return Multi.createFrom().emitter(emitter -> {
            Follower follower = new Follower(emitter, caller, head);
            synchronized (this) {
                if (position < 0) {
                    position = head;
                }
                followers.add(follower);
            }
            emitter.onTermination(() -> followers.remove(follower));
        });
    }

    @Scheduled(every = "0.5s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    synchronized void tail() {
        if (followers.isEmpty()) {
            position = -1; // the next follower starts from the head of the log then
            sent.clear();
            marks.clear();
            return;
        }
        long now = System.nanoTime();
        marks.addLast(new long[] {now, position});
        while (marks.size() > 1 && now - marks.peekFirst()[0] > LOOKBACK.toNanos()) {
            marks.removeFirst();
        }
        long from = marks.peekFirst()[1];
        sent.headSet(from, true).clear();
        try {
            Map<Follower, Visibility> visible = new java.util.HashMap<>();
            List<StoredEvent> added;
            long after = from;
            do {
                added = changeLog.after(after, BATCH);
                for (StoredEvent event : added) {
                    after = event.seq();
                    if (!sent.add(event.seq())) {
                        continue;
                    }
                    Map<String, Object> item = ChangesResource.item(event);
                    item.put("position", event.seq());
                    for (Follower follower : followers) {
                        Visibility sees = visible.computeIfAbsent(follower, f -> new Visibility(f.caller(), changeLog));
                        if (event.seq() > follower.from() && sees.sees(event.application())) {
                            follower.emitter().emit(item);
                        }
                    }
                    position = Math.max(position, event.seq());
                }
            } while (added.size() == BATCH);
            if (now - lastHeartbeat > HEARTBEAT.toNanos()) {
                lastHeartbeat = now;
                Map<String, Object> beat = Map.of("type", "heartbeat");
                followers.forEach(f -> f.emitter().emit(beat));
            }
        } catch (SQLException e) {
            LOG.warnf("the change feed cannot read the log (retried in half a second): %s", e.getMessage());
        }
    }
}
