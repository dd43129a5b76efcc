//! SCIM directories: each directory record with the users and groups
//! synced into it, and the views the API serves (computed counts, stats and
//! group memberships).

use std::collections::BTreeMap;

use scalekit::proto::directories::{Directory, DirectoryGroup, DirectoryUser, Stats};

/// A directory with its users and groups.
#[derive(Clone, Debug, Default)]
pub(crate) struct DirectoryRecord {
    /// The stored fields; counts, stats and the last sync are computed.
    pub(crate) directory: Directory,
    /// Users by id (`diruser_…`), with `groups` left empty.
    pub(crate) users: BTreeMap<String, UserRecord>,
    /// Groups by id (`dirgroup_…`), with `total_users` computed.
    pub(crate) groups: BTreeMap<String, DirectoryGroup>,
}

#[derive(Clone, Debug, Default)]
pub(crate) struct UserRecord {
    pub(crate) user: DirectoryUser,
    /// The ids of the groups the user is a member of.
    pub(crate) group_ids: Vec<String>,
}

/// A timestamp as a sortable key.
pub(crate) fn instant(t: &prost_types::Timestamp) -> (i64, i32) {
    (t.seconds, t.nanos)
}

impl DirectoryRecord {
    pub(crate) fn members(&self, group_id: &str) -> usize {
        self.users
            .values()
            .filter(|u| u.group_ids.iter().any(|g| g == group_id))
            .count()
    }

    /// The group as listed: with its member count; its detail only when
    /// asked for.
    pub(crate) fn group_view(&self, group: &DirectoryGroup, detail: bool) -> DirectoryGroup {
        DirectoryGroup {
            total_users: i32::try_from(self.members(&group.id)).unwrap_or(i32::MAX),
            group_detail: if detail {
                group.group_detail.clone()
            } else {
                None
            },
            ..group.clone()
        }
    }

    /// The user as listed: with their groups; the detail only when asked
    /// for.
    pub(crate) fn user_view(&self, record: &UserRecord, detail: bool) -> DirectoryUser {
        DirectoryUser {
            groups: record
                .group_ids
                .iter()
                .filter_map(|id| self.groups.get(id))
                .map(|g| self.group_view(g, false))
                .collect(),
            user_detail: if detail {
                record.user.user_detail.clone()
            } else {
                None
            },
            ..record.user.clone()
        }
    }

    /// The directory as served: with counts, stats and the last sync time.
    pub(crate) fn view(&self) -> Directory {
        let latest = |times: Vec<prost_types::Timestamp>| times.into_iter().max_by_key(instant);
        let user_updated_at = latest(
            self.users
                .values()
                .filter_map(|u| u.user.updated_at)
                .collect(),
        );
        let group_updated_at = latest(self.groups.values().filter_map(|g| g.updated_at).collect());
        let total_users = i32::try_from(self.users.len()).unwrap_or(i32::MAX);
        let total_groups = i32::try_from(self.groups.len()).unwrap_or(i32::MAX);
        Directory {
            total_users,
            total_groups,
            last_synced_at: latest(
                user_updated_at
                    .into_iter()
                    .chain(group_updated_at)
                    .collect(),
            ),
            stats: Some(Stats {
                total_users,
                total_groups,
                group_updated_at,
                user_updated_at,
            }),
            ..self.directory.clone()
        }
    }
}
