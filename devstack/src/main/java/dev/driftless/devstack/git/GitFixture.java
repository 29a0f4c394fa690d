package dev.driftless.devstack.git;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.revwalk.RevCommit;

/**
 * A local working copy that commits files and pushes them over real Git transport, as a developer would. Used to
 * seed the demo repository and by tests.
 */
public final class GitFixture implements AutoCloseable {

    private final Git git;
    private final Path work;
    private final String remote;

    private GitFixture(Git git, Path work, String remote) {
        this.git = git;
        this.work = work;
        this.remote = remote;
    }

    /** A fresh working copy on branch {@code main} that pushes to {@code remote}. */
    public static GitFixture create(Path work, String remote) {
        try {
            return new GitFixture(
                    Git.init()
                            .setDirectory(work.toFile())
                            .setInitialBranch("main")
                            .call(),
                    work,
                    remote);
        } catch (GitAPIException e) {
            throw new IllegalStateException("cannot create working copy " + work, e);
        }
    }

    /** A working copy of an existing repository's {@code main}, as {@code git clone} makes it, pushing back to it. */
    public static GitFixture cloneOf(Path work, String remote) {
        try {
            return new GitFixture(
                    Git.cloneRepository()
                            .setURI(remote)
                            .setDirectory(work.toFile())
                            .setBranch("main")
                            .call(),
                    work,
                    remote);
        } catch (GitAPIException e) {
            throw new IllegalStateException("cannot clone " + remote + " into " + work, e);
        }
    }

    /** The commit {@code main} is at in this working copy. */
    public String head() {
        try {
            return git.getRepository().resolve("refs/heads/main").name();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes (or, with a {@code null} content, deletes) files, commits them and pushes {@code main}. */
    public RevCommit commitAndPush(String message, Map<String, String> files) {
        try {
            // one add and one rm for all the files: each call reads and writes the whole index, so a call per file
            // made a commit of 10,000 files take minutes
            var add = git.add();
            var rm = git.rm();
            boolean adding = false;
            boolean removing = false;
            for (var file : files.entrySet()) {
                Path target = work.resolve(file.getKey()).normalize();
                if (!target.startsWith(work)) {
                    throw new IllegalArgumentException("path leaves the working copy: " + file.getKey());
                }
                if (file.getValue() == null) {
                    Files.deleteIfExists(target);
                    rm.addFilepattern(file.getKey());
                    removing = true;
                } else {
                    Files.createDirectories(target.getParent());
                    Files.writeString(target, file.getValue());
                    add.addFilepattern(file.getKey());
                    adding = true;
                }
            }
            // removals first, from the index only (the files are gone already): a removed path that prefixes an
            // added one (a file "base" replaced by a directory "base/") would otherwise unstage the new file
            if (removing) {
                rm.setCached(true).call();
            }
            if (adding) {
                add.call();
            }
            RevCommit commit = git.commit()
                    .setMessage(message)
                    .setAuthor("Devstack", "devstack@driftless.dev")
                    .setCommitter("Devstack", "devstack@driftless.dev")
                    .call();
            git.push().setRemote(remote).add("main").call();
            return commit;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GitAPIException e) {
            throw new IllegalStateException("cannot commit and push to " + remote + ": " + e.getMessage(), e);
        }
    }

    /** Moves {@code main} back to an earlier commit and force-pushes it, as {@code git reset --hard; git push -f}. */
    public void resetAndForcePush(RevCommit to) {
        try {
            git.reset()
                    .setMode(org.eclipse.jgit.api.ResetCommand.ResetType.HARD)
                    .setRef(to.name())
                    .call();
            git.push().setRemote(remote).add("main").setForce(true).call();
        } catch (GitAPIException e) {
            throw new IllegalStateException("cannot force-push to " + remote + ": " + e.getMessage(), e);
        }
    }

    /** Creates a lightweight tag at the last commit and pushes it. */
    public void tagAndPush(String tag) {
        try {
            git.tag().setName(tag).setAnnotated(false).call();
            git.push().setRemote(remote).add("refs/tags/" + tag).call();
        } catch (GitAPIException e) {
            throw new IllegalStateException("cannot tag and push " + tag + " to " + remote + ": " + e.getMessage(), e);
        }
    }

    /** Commits a symbolic link at {@code path} pointing to {@code target} (as written) and pushes {@code main}. */
    public RevCommit commitSymlinkAndPush(String message, String path, String target) {
        try {
            Path link = work.resolve(path).normalize();
            if (!link.startsWith(work)) {
                throw new IllegalArgumentException("path leaves the working copy: " + path);
            }
            Files.createDirectories(link.getParent());
            Files.createSymbolicLink(link, Path.of(target));
            git.add().addFilepattern(path).call();
            return commitAndPush(message, Map.of());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GitAPIException e) {
            throw new IllegalStateException("cannot commit a link to " + remote + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        git.close();
        try (Stream<Path> paths = Files.walk(work)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
