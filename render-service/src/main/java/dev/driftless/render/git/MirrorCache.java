package dev.driftless.render.git;

import dev.driftless.events.CommitPushed;
import dev.driftless.render.RenderConfig;
import dev.driftless.render.domain.Application;
import dev.driftless.render.domain.ManifestParser;
import dev.driftless.render.domain.Reason;
import dev.driftless.render.domain.RenderFailure;
import dev.driftless.render.domain.RevisionMatcher;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.storage.file.WindowCacheConfig;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.treewalk.filter.TreeFilter;
import org.jboss.logging.Logger;

/**
 * One bare mirror per remote repository in the cache directory, fetched incrementally (branches and tags) under a
 * per-repository lock, so different repositories fetch in parallel. Files are read straight from the object
 * database at a commit; there is no working tree. A mirror that cannot be opened is deleted and fetched anew.
 */
@ApplicationScoped
public class MirrorCache {

    private static final Logger LOG = Logger.getLogger(MirrorCache.class);
    private static final RefSpec BRANCHES = new RefSpec("+refs/heads/*:refs/heads/*");
    private static final RefSpec TAGS = new RefSpec("+refs/tags/*:refs/tags/*");

    @Inject
    RenderConfig config;

    private final ConcurrentMap<String, ReentrantLock> locks = new ConcurrentHashMap<>();
    private final ConcurrentMap<Path, Repository> open = new ConcurrentHashMap<>();

    @PostConstruct
    void sizeJGitCaches() {
        WindowCacheConfig caches = new WindowCacheConfig();
        caches.setPackedGitLimit(config.git().packedGitLimit().asLongValue());
        caches.setDeltaBaseCacheLimit((int) config.git().deltaBaseCacheLimit().asLongValue());
        caches.setPackedGitOpenFiles(config.git().packedGitOpenFiles());
        caches.install();
    }

    @PreDestroy
    void closeRepositories() {
        open.values().forEach(Repository::close);
        open.clear();
    }

    /** Fetches the application's repository once, under its lock: for rendering many of its applications after. */
    public void refresh(Application app) throws RenderFailure {
        ReentrantLock lock = locks.computeIfAbsent(app.repository(), r -> new ReentrantLock());
        lock.lock();
        try {
            fetch(app);
        } finally {
            lock.unlock();
        }
    }

    /**
     * The commit at the head of an application's revision as the mirror has it, without fetching: for the
     * applications of a repository after one {@link #resolve} fetched it.
     */
    public String localHead(Application app) throws RenderFailure {
        try (Repository repo = open(app)) {
            // peeled: an annotated tag names a tag object, the render needs its commit
            ObjectId id = app.ref() == null || repo.exactRef(app.ref()) == null
                    ? null
                    : repo.resolve(app.ref() + "^{commit}");
            if (id == null) {
                throw new RenderFailure(
                        Reason.RevisionNotFound,
                        app.repository() + " has no " + app.targetRevision() + " (application " + app.name() + ")");
            }
            return id.name();
        } catch (IOException e) {
            throw new RenderFailure(Reason.RepositoryUnreachable, "cannot read mirror of " + app.repository(), e);
        }
    }

    /**
     * The paths whose content differs between two commits of the application's repository (one tree diff, as long
     * as the change, not the repository), or empty when {@code from} is not in the mirror (a new branch, a force
     * push past what was fetched, a mirror rebuilt): then the caller must assume everything changed.
     */
    public Optional<Set<String>> changedPaths(Application app, String from, String to) {
        if (from == null || !RevisionMatcher.isCommitSha(from) || from.equals(CommitPushed.ZERO_SHA)) {
            return Optional.empty();
        }
        try (Repository repo = open(app);
                RevWalk walk = new RevWalk(repo);
                TreeWalk diff = new TreeWalk(repo)) {
            ObjectId fromId = ObjectId.fromString(from);
            if (!repo.getObjectDatabase().has(fromId)) {
                return Optional.empty();
            }
            diff.addTree(walk.parseCommit(fromId).getTree());
            diff.addTree(walk.parseCommit(ObjectId.fromString(to)).getTree());
            diff.setRecursive(true);
            diff.setFilter(TreeFilter.ANY_DIFF);
            Set<String> paths = new HashSet<>();
            while (diff.next()) {
                paths.add(diff.getPathString());
            }
            return Optional.of(paths);
        } catch (IOException | IllegalArgumentException e) {
            LOG.debugf("cannot diff %s..%s of %s: %s", from, to, app.repository(), e.toString());
            return Optional.empty();
        }
    }

    /**
     * The Git tree id of the application's path at a commit: equal ids mean equal content, so the render would be
     * the same. Empty when the path is missing there.
     */
    public Optional<String> treeId(Application app, String commit) {
        try (Repository repo = open(app);
                RevWalk walk = new RevWalk(repo)) {
            RevCommit revCommit = walk.parseCommit(ObjectId.fromString(commit));
            if (app.path().isEmpty()) {
                return Optional.of(revCommit.getTree().name());
            }
            try (TreeWalk at = TreeWalk.forPath(repo, app.path(), revCommit.getTree())) {
                return at == null
                        ? Optional.empty()
                        : Optional.of(at.getObjectId(0).name());
            }
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * The commit to render for an application: {@code wanted} when given (fetching only if the mirror lacks it),
     * otherwise the commit its revision names after a fetch.
     */
    public String resolve(Application app, String wanted) throws RenderFailure {
        if (wanted != null && hasCommit(app, wanted)) {
            return wanted;
        }
        refresh(app);
        String target = wanted != null ? wanted : app.targetRevision();
        if (!RevisionMatcher.isCommitSha(target)) {
            return localHead(app);
        }
        if (!hasCommit(app, target)) {
            throw new RenderFailure(
                    Reason.RevisionNotFound,
                    app.repository() + " has no " + target + " (application " + app.name() + ")");
        }
        return target;
    }

    /**
     * The regular files under {@code path} at a commit, keyed by path relative to {@code path}, in path order.
     * Symbolic links and submodules are skipped: they could point outside the repository.
     */
    public SortedMap<String, byte[]> readDirectory(Application app, String commit) throws RenderFailure {
        try (Repository repo = open(app);
                RevWalk walk = new RevWalk(repo)) {
            RevCommit revCommit = walk.parseCommit(ObjectId.fromString(commit));
            ObjectId tree = revCommit.getTree();
            if (!app.path().isEmpty()) {
                try (TreeWalk at = TreeWalk.forPath(repo, app.path(), revCommit.getTree())) {
                    if (at == null || at.getFileMode(0) != FileMode.TREE) {
                        throw new RenderFailure(
                                Reason.PathNotFound,
                                app.path() + " is not a directory at " + commit.substring(0, 7) + " of "
                                        + app.repository());
                    }
                    tree = at.getObjectId(0);
                }
            }
            SortedMap<String, byte[]> files = new TreeMap<>();
            long total = 0;
            try (TreeWalk entries = new TreeWalk(repo)) {
                entries.addTree(tree);
                entries.setRecursive(true);
                while (entries.next()) {
                    FileMode mode = entries.getFileMode(0);
                    boolean regular = mode == FileMode.REGULAR_FILE || mode == FileMode.EXECUTABLE_FILE;
                    if (regular && ManifestParser.isManifestFile(entries.getPathString())) {
                        byte[] content = repo.open(entries.getObjectId(0)).getCachedBytes(config.maxFileBytes());
                        total += content.length;
                        if (total > 2L * config.maxBundleBytes()) {
                            throw new RenderFailure(
                                    Reason.BundleTooLarge,
                                    "the manifests under " + app.path() + " exceed " + 2L * config.maxBundleBytes()
                                            + " bytes");
                        }
                        files.put(entries.getPathString(), content);
                    }
                }
            }
            return files;
        } catch (MissingObjectException e) {
            throw new RenderFailure(Reason.RevisionNotFound, "commit " + commit + " is not in " + app.repository());
        } catch (org.eclipse.jgit.errors.LargeObjectException e) {
            throw new RenderFailure(
                    Reason.BundleTooLarge,
                    "a file under " + app.path() + " exceeds " + config.maxFileBytes() + " bytes");
        } catch (IOException e) {
            throw new RenderFailure(Reason.RepositoryUnreachable, "cannot read mirror of " + app.repository(), e);
        }
    }

    private boolean hasCommit(Application app, String sha) {
        if (!Files.isDirectory(mirrorDir(app))) {
            return false;
        }
        try (Repository repo = open(app)) {
            return repo.getObjectDatabase().has(ObjectId.fromString(sha));
        } catch (IOException | IllegalArgumentException e) {
            return false;
        }
    }

    private void fetch(Application app) throws RenderFailure {
        long backoff = config.fetchBackoff().toMillis();
        GitAPIException last = null;
        for (int attempt = 1; attempt <= config.fetchAttempts(); attempt++) {
            try (Repository repo = openOrCreate(app);
                    Git git = new Git(repo)) {
                git.fetch()
                        .setRemote(app.cloneUrl())
                        .setRefSpecs(BRANCHES, TAGS)
                        .setRemoveDeletedRefs(true)
                        .setTimeout(30)
                        .call();
                return;
            } catch (GitAPIException e) {
                last = e;
                LOG.debugf("fetch %d of %s failed: %s", attempt, app.repository(), e.getMessage());
            } catch (IOException e) {
                throw new RenderFailure(Reason.RepositoryUnreachable, "cannot open mirror of " + app.repository(), e);
            }
            if (attempt < config.fetchAttempts()) {
                try {
                    TimeUnit.MILLISECONDS.sleep(backoff);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
                backoff *= 2;
            }
        }
        throw new RenderFailure(
                Reason.RepositoryUnreachable,
                "cannot fetch " + app.repository() + ": " + (last == null ? "interrupted" : last.getMessage()),
                last);
    }

    private Repository openOrCreate(Application app) throws IOException {
        Path dir = mirrorDir(app);
        if (Files.isDirectory(dir)) {
            try {
                return open(app);
            } catch (IOException e) {
                LOG.warnf("mirror of %s is corrupt (%s); fetching it anew", app.repository(), e.getMessage());
                deleteRecursively(dir);
            }
        }
        Files.createDirectories(dir.getParent());
        try {
            // closing the Git that created it closes its repository: the caller gets one of its own
            Git.init().setBare(true).setDirectory(dir.toFile()).call().close();
        } catch (GitAPIException e) {
            throw new IOException("cannot create mirror " + dir, e);
        }
        return open(app);
    }

    /**
     * The mirror's repository, opened once and shared (JGit repositories are safe for concurrent reads): each caller
     * closes what it got, which only releases its use.
     */
    private Repository open(Application app) throws IOException {
        Path dir = mirrorDir(app);
        Repository repo = open.get(dir);
        if (repo == null) {
            Repository opened = new FileRepositoryBuilder()
                    .setGitDir(dir.toFile())
                    .setBare()
                    .setMustExist(true)
                    .build();
            opened.getObjectDatabase(); // fails early on a corrupt mirror
            repo = open.putIfAbsent(dir, opened);
            if (repo == null) {
                repo = opened;
            } else {
                opened.close();
            }
        }
        repo.incrementOpen();
        return repo;
    }

    Path mirrorDir(Application app) {
        String repository = app.repository();
        String last = repository.substring(repository.lastIndexOf('/') + 1).replaceAll("[^A-Za-z0-9._-]", "_");
        return config.cacheDir().resolve(hash(repository).substring(0, 16) + "-" + last + ".git");
    }

    private static String hash(String value) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
