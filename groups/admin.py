from django.contrib import admin

from groups.models import Invitation, Membership, Post, PostRevision, SupportGroup, Topic


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ("user",)
    fields = ("user", "role", "status", "status_changed_at")
    readonly_fields = ("status_changed_at",)


@admin.register(SupportGroup)
class SupportGroupAdmin(admin.ModelAdmin):
    list_display = ("name", "focus", "visibility", "join_policy", "size_cap")
    list_filter = ("focus", "visibility", "join_policy")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [MembershipInline]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("group", "created_at", "expires_at", "revoked_at", "uses")
    readonly_fields = ("token",)


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ("title", "group", "created_at", "reply_count", "is_pinned", "is_locked", "deleted_at")
    list_filter = ("group", "is_pinned", "is_locked")
    raw_id_fields = ("author",)


class PostRevisionInline(admin.TabularInline):
    model = PostRevision
    extra = 0
    can_delete = False
    readonly_fields = ("version", "body", "content_warning", "created_at")


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ("pk", "topic", "created_at", "version", "deleted_at", "hidden_at")
    raw_id_fields = ("author", "topic")
    readonly_fields = ("body_html",)
    inlines = [PostRevisionInline]
