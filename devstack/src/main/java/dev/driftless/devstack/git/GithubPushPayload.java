package dev.driftless.devstack.git;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jgit.diff.DiffEntry;
import org.eclipse.jgit.diff.DiffFormatter;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.transport.ReceiveCommand;
import org.eclipse.jgit.util.io.DisabledOutputStream;

/**
 * The body of a GitHub {@code push} webhook for one updated ref, built from the repository itself: {@code ref},
 * {@code before}, {@code after}, {@code created}, {@code deleted}, {@code forced}, {@code repository},
 * {@code pusher}, {@code sender}, {@code head_commit} and up to 20 {@code commits} with their added, removed and
 * modified paths, newest last, as GitHub sends them.
 */
final class GithubPushPayload {

    private static final int MAX_COMMITS = 20;

    private GithubPushPayload() {}

    static Map<String, Object> of(Repository repository, String name, String cloneUrl, ReceiveCommand command)
            throws IOException {
        ObjectId before = command.getOldId();
        ObjectId after = command.getNewId();
        boolean created = before.equals(ObjectId.zeroId());
        boolean deleted = after.equals(ObjectId.zeroId());

        List<Map<String, Object>> commits = new ArrayList<>();
        Map<String, Object> head = null;
        PersonIdent pusher = null;
        if (!deleted) {
            try (RevWalk walk = new RevWalk(repository)) {
                walk.markStart(walk.parseCommit(after));
                if (!created) {
                    walk.markUninteresting(walk.parseCommit(before));
                }
                List<RevCommit> newestFirst = new ArrayList<>();
                for (RevCommit commit : walk) {
                    newestFirst.add(commit);
                    if (newestFirst.size() == MAX_COMMITS) {
                        break;
                    }
                }
                for (int i = newestFirst.size() - 1; i >= 0; i--) {
                    commits.add(describe(repository, walk, newestFirst.get(i), cloneUrl));
                }
                RevCommit headCommit = walk.parseCommit(after);
                head = describe(repository, walk, headCommit, cloneUrl);
                pusher = headCommit.getCommitterIdent();
            }
        }
        boolean forced = !created && !deleted && command.getType() == ReceiveCommand.Type.UPDATE_NONFASTFORWARD;

        Map<String, Object> repo = new LinkedHashMap<>();
        repo.put("name", name.contains("/") ? name.substring(name.lastIndexOf('/') + 1) : name);
        repo.put("full_name", name.contains("/") ? name : "devstack/" + name);
        repo.put("clone_url", cloneUrl);
        repo.put("html_url", cloneUrl.substring(0, cloneUrl.length() - 4));
        repo.put("url", cloneUrl.substring(0, cloneUrl.length() - 4));
        repo.put("default_branch", "main");

        String pusherName = pusher == null ? "devstack" : pusher.getName();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("ref", command.getRefName());
        body.put("before", before.name());
        body.put("after", after.name());
        body.put("created", created);
        body.put("deleted", deleted);
        body.put("forced", forced);
        body.put("compare", cloneUrl + "/compare/" + before.name() + "..." + after.name());
        body.put("repository", repo);
        body.put("pusher", Map.of("name", pusherName, "email", pusher == null ? "" : pusher.getEmailAddress()));
        body.put("sender", Map.of("login", pusherName));
        body.put("head_commit", head);
        body.put("commits", commits);
        return body;
    }

    private static Map<String, Object> describe(Repository repository, RevWalk walk, RevCommit commit, String url)
            throws IOException {
        List<String> added = new ArrayList<>();
        List<String> removed = new ArrayList<>();
        List<String> modified = new ArrayList<>();
        try (DiffFormatter diff = new DiffFormatter(DisabledOutputStream.INSTANCE)) {
            diff.setRepository(repository);
            RevCommit parent = commit.getParentCount() > 0 ? walk.parseCommit(commit.getParent(0)) : null;
            for (DiffEntry entry : diff.scan(parent == null ? null : parent.getTree(), commit.getTree())) {
                switch (entry.getChangeType()) {
                    case ADD, COPY -> added.add(entry.getNewPath());
                    case DELETE -> removed.add(entry.getOldPath());
                    case MODIFY -> modified.add(entry.getNewPath());
                    case RENAME -> {
                        removed.add(entry.getOldPath());
                        added.add(entry.getNewPath());
                    }
                }
            }
        }
        PersonIdent author = commit.getAuthorIdent();
        Map<String, Object> described = new LinkedHashMap<>();
        described.put("id", commit.name());
        described.put("tree_id", commit.getTree().name());
        described.put("message", commit.getFullMessage());
        described.put("timestamp", Instant.ofEpochSecond(commit.getCommitTime()).toString());
        described.put("url", url + "/commit/" + commit.name());
        described.put(
                "author",
                Map.of("name", author.getName(), "email", author.getEmailAddress(), "username", author.getName()));
        described.put("added", added);
        described.put("removed", removed);
        described.put("modified", modified);
        return described;
    }
}
