package dev.driftless.sync.messaging;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Work of many applications on a few threads, each application's in the order it was given: one lane per
 * application, so a sync that waits minutes for a wave's health holds one thread and never the Kafka partition the
 * other applications' renders arrive on. {@link #submit} blocks while {@code maxInFlight} tasks are queued or running,
 * which is the consumer's backpressure.
 */
final class ApplicationLanes implements AutoCloseable {

    private final ExecutorService threads;
    private final Semaphore room;
    private final Map<String, CompletableFuture<Void>> tails = new ConcurrentHashMap<>();

    ApplicationLanes(int threads, int maxInFlight) {
        AtomicInteger n = new AtomicInteger();
        this.threads = Executors.newFixedThreadPool(threads, task -> {
            Thread thread = new Thread(task, "sync-" + n.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        this.room = new Semaphore(maxInFlight);
    }

    /** Runs the task after every task given before for the same application; waits while the lanes are full. */
    void submit(String application, Runnable task) throws InterruptedException {
        room.acquire();
        CompletableFuture<Void> queued = tails.compute(application, (key, previous) -> {
            CompletableFuture<Void> after = previous == null ? CompletableFuture.completedFuture(null) : previous;
            return after.handle((ignored, error) -> null)
                    .thenRunAsync(
                            () -> {
                                try {
                                    task.run();
                                } finally {
                                    room.release();
                                }
                            },
                            threads);
        });
        // outside compute: it may run at once, in this thread, if the task already finished
        queued.whenComplete((ignored, error) -> tails.remove(application, queued));
    }

    /**
     * Runs the task after every task given before for the same application, without waiting for room and without
     * taking any: for bookkeeping that must come after an application's queued work (letting it go), never for work
     * the consumer's backpressure should count.
     */
    void after(String application, Runnable task) {
        CompletableFuture<Void> queued = tails.compute(application, (key, previous) -> {
            CompletableFuture<Void> before = previous == null ? CompletableFuture.completedFuture(null) : previous;
            return before.handle((ignored, error) -> null).thenRunAsync(task, threads);
        });
        queued.whenComplete((ignored, error) -> tails.remove(application, queued));
    }

    /** The applications with a task queued or running now. */
    java.util.Set<String> busy() {
        return java.util.Set.copyOf(tails.keySet());
    }

    @Override
    public void close() {
        threads.shutdownNow();
        try {
            threads.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
