"""Who visits: the names the worlds and the access tables give their visitors, each string once.

The site world (tests/support/worlds/site.py) has ten kinds of visitor, named for who they are to
its two groups (A private, B listed). The groups table (tests/groups/url_table.py) speaks of who
someone is to one group, and the moderation table (tests/moderation/url_table.py) of who someone is
to the moderation tools; tests/support/worlds/features.py places each of the ten in both tables'
words.
"""

# Words all three use. A moderator without a second factor in this session has no moderator
# powers until they give it: to groups someone outside, to the moderation tools refused.
ANONYMOUS = "anonymous"
MODERATOR = "moderator"
MODERATOR_WITHOUT_MFA = "moderator_without_mfa"

# The site world's ten. The suspended member was signed in, then suspended (which ended their
# sessions); the member who left A is the one the groups table calls "left".
MEMBER_A = "member_a"
MEMBER_B = "member_b"
REMOVED_A = "removed_a"
FACILITATOR_A = "facilitator_a"
FACILITATOR_B = "facilitator_b"
SUSPENDED = "suspended"
LEFT_A = "left_a"
SITE_ROLES = (
    ANONYMOUS, MEMBER_A, MEMBER_B, REMOVED_A, LEFT_A, FACILITATOR_A, FACILITATOR_B, MODERATOR, MODERATOR_WITHOUT_MFA,
    SUSPENDED,
)

# Who looks at a group, in the groups table's words. "removed" and "left" had a membership that
# ended; "outsider" never had one; "moderator" is a site moderator without a membership.
OUTSIDER = "outsider"
MEMBER = "member"
FACILITATOR = "facilitator"
REMOVED = "removed"
LEFT = "left"
GROUP_ROLES = (ANONYMOUS, OUTSIDER, MEMBER, FACILITATOR, MODERATOR, REMOVED, LEFT, MODERATOR_WITHOUT_MFA)

# Who uses the moderation tools, in the moderation table's words ("member" as above).
FACILITATOR_ELSEWHERE = "facilitator_of_another_group"
FACILITATOR_HERE = "facilitator_of_this_group"
MODERATION_ROLES = (ANONYMOUS, MEMBER, FACILITATOR_ELSEWHERE, FACILITATOR_HERE, MODERATOR_WITHOUT_MFA, MODERATOR)
