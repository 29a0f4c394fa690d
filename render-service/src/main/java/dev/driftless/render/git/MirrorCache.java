package dev.driftless.render.git;

import dev.driftless.events.CommitPushed;
import dev.driftless.render.RenderConfig;
import dev.driftless.render.domain.Application;
import dev.driftless.render.domain.ManifestParser;
import dev.driftless.render.domain.Reason;
import dev.driftless.render.domain.RenderFailure;
import dev.driftless.render.domain.RenderLimits;
import dev.driftless.render.domain.RepositoryPaths;
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
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
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

    @Inject
    GitCredentials credentials;

    private final ConcurrentMap<String, ReentrantLock> locks = new ConcurrentHashMap<>();
    private final ConcurrentMap<Path, Repository> open = new ConcurrentHashMap<>();

    @PostConstruct
    void sizeJGitCaches() {
        WindowCacheConfig caches = new WindowCacheConfig();
        caches.setPackedGitLimit(config.git().packedGitLimit().asLongValue());
        caches.setDeltaBaseCacheLimit((int) config.git().deltaBaseCacheLimit().asLongValue());
        caches.setPackedGitOpenFiles(config.git().packedGitOpenFiles());
        caches.install();
        // before this cache fetches anything: every HTTP answer a fetch reads goes through max-fetch-bytes
        FetchLimit.install(config.limits().maxFetchBytes());
    }

    /** Made at start, so the limit is in place before any consumer can ask for a fetch. */
    void createAtStart(@jakarta.enterprise.event.Observes io.quarkus.runtime.StartupEvent start) {
        LOG.debugf("mirror cache in %s", config.cacheDir());
    }

    @PreDestroy
    void closeRepositories() {
        open.values().forEach(Repository::close);
        open.clear();
    }

    /**
     * Garbage-collects every mirror opened since start, one at a time under its repository's lock (a fetch of that
     * repository waits; renders read on): without it each fetch leaves a pack behind and lookups slow down.
     */
    @io.quarkus.scheduler.Scheduled(
            every = "${driftless.render.gc-interval:1h}",
            delayed = "${driftless.render.gc-interval:1h}",
            concurrentExecution = io.quarkus.scheduler.Scheduled.ConcurrentExecution.SKIP)
    public void gc() {
        for (var each : locks.entrySet()) {
            Repository repo = open.get(mirrorDir(each.getKey()));
            if (repo == null) {
                continue;
            }
            ReentrantLock lock = each.getValue();
            lock.lock();
            long started = System.nanoTime();
            try (Git git = Git.wrap(repo)) { // wrap: closing it leaves the shared repository open
                git.gc().call();
                LOG.debugf("gc of %s took %d ms", each.getKey(), (System.nanoTime() - started) / 1_000_000);
            } catch (GitAPIException | RuntimeException e) {
                LOG.warnf("gc of the mirror of %s failed: %s", each.getKey(), e.getMessage());
            } finally {
                lock.unlock();
            }
        }
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
            String ref = app.ref();
            if (app.followsSemverRange()) {
                java.util.List<String> tags =
                        repo.getRefDatabase().getRefsByPrefix(org.eclipse.jgit.lib.Constants.R_TAGS).stream()
                                .map(r -> r.getName().substring(org.eclipse.jgit.lib.Constants.R_TAGS.length()))
                                .toList();
                ref = RevisionMatcher.highestTag(app.targetRevision(), tags)
                        .map(tag -> org.eclipse.jgit.lib.Constants.R_TAGS + tag)
                        .orElseThrow(() -> new RenderFailure(
                                Reason.RevisionNotFound,
                                "no tag of " + app.repository() + " satisfies " + app.targetRevision()
                                        + " (application " + app.name() + ")"));
            }
            // peeled: an annotated tag names a tag object, the render needs its commit
            ObjectId id = ref == null || repo.exactRef(ref) == null ? null : repo.resolve(ref + "^{commit}");
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
     * The commit to render for an application: {@code wanted} when given (fetching only if the mirror lacks it),
     * otherwise the commit its revision names after a fetch.
     */
    public String resolve(Application app, String wanted) throws RenderFailure {
        if (wanted != null && hasCommit(app, wanted)) {
            return wanted;
        }
        refresh(app);
        return resolveFetched(app, wanted);
    }

    /** As {@link #resolve}, from what the mirror has now, without fetching. */
    public String resolveFetched(Application app, String wanted) throws RenderFailure {
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

    /** When the last successful fetch of each repository began, since start. */
    private final java.util.Map<String, java.time.Instant> fetchesBegan =
            new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Whether a fetch of the application's repository that began after a push was received already brought it
     * ({@link dev.driftless.render.domain.PushFetch}), so the push's render may start from the mirror without
     * fetching again.
     */
    public boolean alreadyFetched(Application app, java.time.Instant pushReceived) {
        return dev.driftless.render.domain.PushFetch.alreadyFetched(fetchesBegan.get(app.repository()), pushReceived);
    }

    /**
     * The regular files under the application's path at a commit that the manifest parser reads, keyed by path
     * relative to it, in path order. A symbolic link that points outside the repository fails the render; one inside
     * it is skipped, as are submodules.
     */
    public SortedMap<String, byte[]> readDirectory(Application app, String commit, RenderLimits limits)
            throws RenderFailure {
        SortedMap<String, byte[]> files = new TreeMap<>();
        long[] read = {0};
        walk(
                app,
                commit,
                List.of(app.path()),
                limits,
                (path, content) -> {
                    String relative = app.path().isEmpty()
                            ? path
                            : path.substring(app.path().length() + 1);
                    if (ManifestParser.isManifestFile(relative)) {
                        if (files.size() >= limits.maxFiles()) {
                            throw new RenderFailure(
                                    Reason.TooManyFiles,
                                    "more than " + limits.maxFiles() + " manifest files under " + describe(app.path()));
                        }
                        byte[] bytes = content.get();
                        budget(read, bytes.length, limits, app);
                        files.put(relative, bytes);
                    }
                },
                null);
        return files;
    }

    /**
     * Writes the files under each of {@code paths} at a commit into {@code root}, laid out as in the repository, for
     * an external renderer. Symbolic links are written as links when their target stays inside the repository and
     * fail the render otherwise; at most {@code limits.maxFiles()} files in all.
     */
    public void materialise(Application app, String commit, Collection<String> paths, Path root, RenderLimits limits)
            throws RenderFailure {
        int[] written = {0};
        long[] bytesWritten = {0};
        try {
            walk(
                    app,
                    commit,
                    paths,
                    limits,
                    (path, content) -> {
                        if (++written[0] > limits.maxFiles()) {
                            throw new RenderFailure(
                                    Reason.TooManyFiles,
                                    "more than " + limits.maxFiles() + " files to render " + app.name());
                        }
                        Path target = inside(root, path, app);
                        if (!Files.exists(target, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                            byte[] bytes = content.get();
                            budget(bytesWritten, bytes.length, limits, app);
                            Files.createDirectories(target.getParent());
                            // never through a link made earlier in the walk, never over anything already there
                            Files.write(
                                    target,
                                    bytes,
                                    java.nio.file.StandardOpenOption.CREATE_NEW,
                                    java.nio.file.StandardOpenOption.WRITE);
                        }
                    },
                    (path, linkTarget) -> {
                        Path link = inside(root, path, app);
                        if (!Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                            Files.createDirectories(link.getParent());
                            Files.createSymbolicLink(link, Path.of(linkTarget));
                        }
                    });
        } catch (java.io.UncheckedIOException e) {
            throw new RenderFailure(Reason.RenderError, "cannot write the files of " + app.name(), e.getCause());
        }
    }

    /** Counts bytes against the render's budget ({@code max-render-bytes}), failing it once they exceed it. */
    private static void budget(long[] used, long more, RenderLimits limits, Application app) throws RenderFailure {
        used[0] += more;
        if (used[0] > limits.maxRenderBytes()) {
            throw new RenderFailure(
                    Reason.RenderTooLarge,
                    app.name() + " reads more than " + limits.maxRenderBytes() + " bytes from its repository to"
                            + " render (driftless.render.limits.max-render-bytes)");
        }
    }

    /**
     * Where a repository path is written under {@code root}, refused ({@code PathEscapesRepository}) when the tree
     * names an entry {@code .}, {@code ..}, empty or with a NUL (a crafted tree: Git itself never writes one, and a
     * server that does not check what it receives passes it on), when the path leaves {@code root}, or when one of its
     * directories is a symbolic link written earlier in the walk (a link and a directory of the same name).
     */
    static Path inside(Path root, String path, Application app) throws RenderFailure {
        for (String segment : path.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..") || segment.indexOf('\0') >= 0) {
                throw new RenderFailure(
                        Reason.PathEscapesRepository,
                        app.name() + ": the tree has an entry named \"" + segment.replace("\0", "\\0") + "\" in " + path
                                + ", which no checkout would write");
            }
        }
        Path base = root.toAbsolutePath().normalize();
        Path target = base.resolve(path).normalize();
        if (!target.startsWith(base) || target.equals(base)) {
            throw new RenderFailure(Reason.PathEscapesRepository, app.name() + ": " + path + " leaves the workspace");
        }
        for (Path dir = target.getParent(); dir != null && !dir.equals(base); dir = dir.getParent()) {
            if (Files.isSymbolicLink(dir)) {
                throw new RenderFailure(
                        Reason.PathEscapesRepository,
                        app.name() + ": " + path + " lies under a symbolic link of the same tree");
            }
        }
        return target;
    }

    /**
     * What lies at a repository path at a commit: a directory, a file (its content), or nothing; a symbolic link is
     * neither and is reported as a file only through {@link #materialise}.
     */
    public Optional<Entry> entry(Application app, String commit, String path, RenderLimits limits)
            throws RenderFailure {
        try (Repository repo = open(app);
                RevWalk revWalk = new RevWalk(repo)) {
            RevCommit revCommit = parseCommit(app, revWalk, commit);
            if (path.isEmpty()) {
                return Optional.of(new Entry(true, null));
            }
            try (TreeWalk at = TreeWalk.forPath(repo, path, revCommit.getTree())) {
                if (at == null) {
                    return Optional.empty();
                }
                FileMode mode = at.getFileMode(0);
                if (mode == FileMode.TREE) {
                    return Optional.of(new Entry(true, null));
                }
                if (mode == FileMode.REGULAR_FILE || mode == FileMode.EXECUTABLE_FILE) {
                    return Optional.of(new Entry(false, read(repo, at.getObjectId(0), path, limits)));
                }
                return Optional.empty();
            }
        } catch (IOException e) {
            throw new RenderFailure(Reason.RepositoryUnreachable, "cannot read mirror of " + app.repository(), e);
        }
    }

    /** The names of the entries of a directory at a commit; empty when it is missing or not a directory. */
    public List<String> names(Application app, String commit, String directory) {
        try (Repository repo = open(app);
                RevWalk walk = new RevWalk(repo)) {
            RevCommit revCommit = walk.parseCommit(ObjectId.fromString(commit));
            List<String> names = new java.util.ArrayList<>();
            try (TreeWalk entries = new TreeWalk(repo)) {
                if (directory.isEmpty()) {
                    entries.addTree(revCommit.getTree());
                } else {
                    try (TreeWalk at = TreeWalk.forPath(repo, directory, revCommit.getTree())) {
                        if (at == null || at.getFileMode(0) != FileMode.TREE) {
                            return List.of();
                        }
                        entries.addTree(at.getObjectId(0));
                    }
                }
                while (entries.next()) {
                    names.add(entries.getNameString());
                }
            }
            return names;
        } catch (IOException | IllegalArgumentException e) {
            return List.of();
        }
    }

    /**
     * A commit's signature and the bytes it signs (the raw commit without its signature header).
     *
     * @param signature the armoured signature, {@code null} when the commit is unsigned
     * @param payload what was signed
     */
    public record SignedCommit(byte[] signature, byte[] payload) {}

    /** The signature of a commit and what it signs. */
    public SignedCommit signedCommit(Application app, String commit) throws RenderFailure {
        try (Repository repo = open(app);
                RevWalk walk = new RevWalk(repo)) {
            RevCommit revCommit = parseCommit(app, walk, commit);
            return new SignedCommit(revCommit.getRawGpgSignature(), withoutSignature(revCommit.getRawBuffer()));
        } catch (IOException e) {
            throw new RenderFailure(Reason.RepositoryUnreachable, "cannot read mirror of " + app.repository(), e);
        }
    }

    /**
     * What people recognise a commit by: the first line of its message (at most 200 characters, control characters
     * left out: it is a repository's text), its author's name and when it was committed.
     */
    public record CommitSummary(String subject, String author, java.time.Instant committedAt) {}

    /** The summary of a commit of the mirror; empty when it cannot be read (the render is not failed for it). */
    public Optional<CommitSummary> commitSummary(Application app, String commit) {
        try (Repository repo = open(app);
                RevWalk walk = new RevWalk(repo)) {
            RevCommit revCommit = parseCommit(app, walk, commit);
            return Optional.of(new CommitSummary(
                    printable(revCommit.getShortMessage(), 200),
                    printable(revCommit.getAuthorIdent().getName(), 100),
                    revCommit.getCommitterIdent().getWhenAsInstant()));
        } catch (IOException | RenderFailure | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static String printable(String text, int max) {
        String clean = text == null ? "" : text.replaceAll("\\p{Cntrl}", " ").strip();
        return clean.length() > max ? clean.substring(0, max - 1) + "…" : clean;
    }

    /** The raw commit without its {@code gpgsig} header and that header's continuation lines. */
    static byte[] withoutSignature(byte[] raw) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(raw.length);
        int i = 0;
        boolean inHeaders = true;
        boolean skipping = false;
        while (i < raw.length) {
            int end = i;
            while (end < raw.length && raw[end] != '\n') {
                end++;
            }
            int next = Math.min(end + 1, raw.length);
            if (inHeaders) {
                if (end == i) {
                    inHeaders = false;
                } else if (startsWith(raw, i, "gpgsig ") || startsWith(raw, i, "gpgsig-sha256 ")) {
                    skipping = true;
                    i = next;
                    continue;
                } else if (skipping && raw[i] == ' ') {
                    i = next;
                    continue;
                }
                skipping = false;
            }
            out.write(raw, i, next - i);
            i = next;
        }
        return out.toByteArray();
    }

    private static boolean startsWith(byte[] raw, int at, String prefix) {
        if (raw.length - at < prefix.length()) {
            return false;
        }
        for (int k = 0; k < prefix.length(); k++) {
            if (raw[at + k] != prefix.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    /**
     * A directory or a file of the repository.
     *
     * @param directory whether it is a directory
     * @param content the file's bytes, {@code null} for a directory
     */
    public record Entry(boolean directory, byte[] content) {}

    /**
     * The Git object id at each path at a commit ({@code "missing"} where there is none): equal ids mean equal
     * content, so a render that reads exactly these paths would be the same.
     */
    public SortedMap<String, String> objectIds(Application app, String commit, Collection<String> paths) {
        SortedMap<String, String> ids = new TreeMap<>();
        try (Repository repo = open(app);
                RevWalk walk = new RevWalk(repo)) {
            RevCommit revCommit = walk.parseCommit(ObjectId.fromString(commit));
            for (String path : paths) {
                if (path.isEmpty()) {
                    ids.put(path, revCommit.getTree().name());
                    continue;
                }
                try (TreeWalk at = TreeWalk.forPath(repo, path, revCommit.getTree())) {
                    ids.put(path, at == null ? "missing" : at.getObjectId(0).name());
                }
            }
            return ids;
        } catch (IOException | IllegalArgumentException e) {
            return new TreeMap<>();
        }
    }

    /** Receives one regular file of a walk: its repository path and a way to read it within the limits. */
    @FunctionalInterface
    private interface FileVisitor {
        void visit(String path, ContentSupplier content) throws RenderFailure, IOException;
    }

    /** Reads a file's content on demand. */
    @FunctionalInterface
    private interface ContentSupplier {
        byte[] get() throws RenderFailure, IOException;
    }

    /** Receives one symbolic link whose target stays inside the repository. */
    @FunctionalInterface
    private interface LinkVisitor {
        void visit(String path, String target) throws RenderFailure, IOException;
    }

    private void walk(
            Application app,
            String commit,
            Collection<String> paths,
            RenderLimits limits,
            FileVisitor files,
            LinkVisitor links)
            throws RenderFailure {
        try (Repository repo = open(app);
                RevWalk revWalk = new RevWalk(repo)) {
            RevCommit revCommit = parseCommit(app, revWalk, commit);
            for (String path : paths) {
                try (TreeWalk entries = new TreeWalk(repo)) {
                    if (path.isEmpty()) {
                        entries.addTree(revCommit.getTree());
                    } else {
                        try (TreeWalk at = TreeWalk.forPath(repo, path, revCommit.getTree())) {
                            if (at == null) {
                                throw new RenderFailure(
                                        Reason.PathNotFound,
                                        path + " does not exist at " + commit.substring(0, 7) + " of "
                                                + app.repository());
                            }
                            FileMode mode = at.getFileMode(0);
                            ObjectId id = at.getObjectId(0);
                            if (mode != FileMode.TREE) {
                                visitEntry(repo, path, mode, id, limits, files, links);
                                continue;
                            }
                            entries.addTree(id);
                        }
                    }
                    entries.setRecursive(true);
                    while (entries.next()) {
                        String full = path.isEmpty() ? entries.getPathString() : path + "/" + entries.getPathString();
                        visitEntry(repo, full, entries.getFileMode(0), entries.getObjectId(0), limits, files, links);
                    }
                }
            }
        } catch (IOException e) {
            throw new RenderFailure(Reason.RepositoryUnreachable, "cannot read mirror of " + app.repository(), e);
        }
    }

    private static void visitEntry(
            Repository repo,
            String path,
            FileMode mode,
            ObjectId id,
            RenderLimits limits,
            FileVisitor files,
            LinkVisitor links)
            throws RenderFailure, IOException {
        if (mode == FileMode.REGULAR_FILE || mode == FileMode.EXECUTABLE_FILE) {
            files.visit(path, () -> read(repo, id, path, limits));
        } else if (mode == FileMode.SYMLINK) {
            String target = new String(repo.open(id).getCachedBytes(4096), StandardCharsets.UTF_8);
            String directory = path.contains("/") ? path.substring(0, path.lastIndexOf('/')) : "";
            try {
                RepositoryPaths.resolve(directory, target);
            } catch (RenderFailure e) {
                throw new RenderFailure(
                        Reason.PathEscapesRepository,
                        "symbolic link " + path + " points outside the repository (" + target + ")");
            }
            if (links != null) {
                links.visit(path, target);
            }
        }
    }

    private static byte[] read(Repository repo, ObjectId id, String path, RenderLimits limits)
            throws RenderFailure, IOException {
        try {
            var loader = repo.open(id);
            // checked here: getCachedBytes(limit) enforces the limit only for objects JGit streams
            if (loader.getSize() > limits.maxFileBytes()) {
                throw new RenderFailure(
                        Reason.FileTooLarge,
                        path + " is " + loader.getSize() + " bytes; the limit is " + limits.maxFileBytes());
            }
            return loader.getCachedBytes(limits.maxFileBytes());
        } catch (org.eclipse.jgit.errors.LargeObjectException e) {
            throw new RenderFailure(Reason.FileTooLarge, path + " is larger than " + limits.maxFileBytes() + " bytes");
        }
    }

    private static RevCommit parseCommit(Application app, RevWalk walk, String commit)
            throws RenderFailure, IOException {
        try {
            return walk.parseCommit(ObjectId.fromString(commit));
        } catch (MissingObjectException | IllegalArgumentException e) {
            throw new RenderFailure(Reason.RevisionNotFound, "commit " + commit + " is not in " + app.repository());
        }
    }

    private static String describe(String path) {
        return path.isEmpty() ? "the repository root" : path;
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

    /**
     * Turns fsck on fetch on in a mirror's configuration, as Git's {@code transfer.fsckObjects}, with the two
     * leniencies Git's own fsck grants old, harmless histories (zero-padded file modes, malformed person lines), so a
     * real repository is not refused for what never reaches a file.
     */
    private static void checkFetchedObjects(Repository repo) throws IOException {
        org.eclipse.jgit.lib.StoredConfig config = repo.getConfig();
        if (!config.getBoolean("transfer", "fsckObjects", false)) {
            config.setBoolean("transfer", null, "fsckObjects", true);
            config.setBoolean("fsck", null, "allowLeadingZeroFileMode", true);
            config.setBoolean("fsck", null, "allowInvalidPersonIdent", true);
            config.save();
        }
    }

    /** The object check's refusal in a failed fetch's causes, if that is why it failed. */
    private static Throwable corruptObject(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof org.eclipse.jgit.errors.CorruptObjectException) {
                return cause;
            }
        }
        return null;
    }

    private void fetch(Application app) throws RenderFailure {
        long backoff = config.fetchBackoff().toMillis();
        GitAPIException last = null;
        for (int attempt = 1; attempt <= config.fetchAttempts(); attempt++) {
            try (Repository repo = openOrCreate(app);
                    Git git = new Git(repo)) {
                checkFetchedObjects(repo);
                var fetch = git.fetch()
                        .setRemote(app.cloneUrl())
                        .setRefSpecs(BRANCHES, TAGS)
                        .setRemoveDeletedRefs(true)
                        // fsck on fetch: JGit's object checker refuses trees naming ., .., .git, an empty name, a
                        // slash or NUL, or one name twice, before anything is stored
                        .setCheckFetchedObjects(true)
                        .setTimeout(30);
                credentials.apply(fetch, app.cloneUrl());
                java.time.Instant began = java.time.Instant.now();
                fetch.call();
                fetchesBegan.merge(app.repository(), began, (x, y) -> x.isAfter(y) ? x : y);
                return;
            } catch (GitAPIException e) {
                var tooLarge = FetchLimit.exceeded(e);
                if (tooLarge.isPresent()) {
                    throw new RenderFailure(
                            Reason.FetchTooLarge,
                            app.repository() + " sent more than "
                                    + tooLarge.get().limit()
                                    + " bytes in one fetch (driftless.render.limits.max-fetch-bytes); nothing of it"
                                    + " was stored or rendered");
                }
                Throwable corrupt = corruptObject(e);
                if (corrupt != null) {
                    throw new RenderFailure(
                            Reason.RepositoryInvalid,
                            app.repository() + " holds an object Git refuses (" + corrupt.getMessage()
                                    + "); nothing of it was stored or rendered");
                }
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
        return mirrorDir(app.repository());
    }

    private Path mirrorDir(String repository) {
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
