"""The root Mutation type."""

from __future__ import annotations

import strawberry

from resolvers import billing, booking, licenses, notices, phone, users
from schema.payloads import (
    AdjustSeatCapacityPayload,
    AllocateSeatsPayload,
    AssignLicensePayload,
    AttachAddonPayload,
    CancelSubscriptionPayload,
    ChangePlanPayload,
    CreateApiTokenPayload,
    CreateBookingPagePayload,
    CreateDeliveryChannelPayload,
    CreateSubscriptionPayload,
    CreateTenantPayload,
    CreateUserPayload,
    DeleteDeliveryChannelPayload,
    DeleteUserPayload,
    DetachAddonPayload,
    MarkNotificationsReadPayload,
    ReassignLicensePayload,
    RedeliverPayload,
    SetBookingPageEnabledPayload,
    TerminateLicensePayload,
    TransferBookingPagePayload,
    UnassignLicensePayload,
    UpdateUserPayload,
)
from schema.phone import ConfigurePhoneLicensePayload, MassConfigurePayload


@strawberry.type
class Mutation:
    create_tenant: CreateTenantPayload = strawberry.mutation(resolver=users.create_tenant)
    create_user: CreateUserPayload = strawberry.mutation(resolver=users.create_user)
    update_user: UpdateUserPayload = strawberry.mutation(resolver=users.update_user)
    delete_user: DeleteUserPayload = strawberry.mutation(resolver=users.delete_user)
    create_api_token: CreateApiTokenPayload = strawberry.mutation(resolver=users.create_api_token)
    assign_license: AssignLicensePayload = strawberry.mutation(resolver=licenses.assign_license)
    unassign_license: UnassignLicensePayload = strawberry.mutation(
        resolver=licenses.unassign_license
    )
    reassign_license: ReassignLicensePayload = strawberry.mutation(
        resolver=licenses.reassign_license
    )
    terminate_license: TerminateLicensePayload = strawberry.mutation(
        resolver=phone.terminate_license
    )
    configure_phone_license: ConfigurePhoneLicensePayload = strawberry.mutation(
        resolver=phone.configure_phone_license
    )
    mass_configure: MassConfigurePayload = strawberry.mutation(resolver=phone.mass_configure)
    attach_addon: AttachAddonPayload = strawberry.mutation(resolver=licenses.attach_addon)
    detach_addon: DetachAddonPayload = strawberry.mutation(resolver=licenses.detach_addon)
    adjust_seat_capacity: AdjustSeatCapacityPayload = strawberry.mutation(
        resolver=licenses.adjust_seat_capacity
    )
    create_subscription: CreateSubscriptionPayload = strawberry.mutation(
        resolver=billing.create_subscription
    )
    change_plan: ChangePlanPayload = strawberry.mutation(resolver=billing.change_plan)
    cancel_subscription: CancelSubscriptionPayload = strawberry.mutation(
        resolver=billing.cancel_subscription
    )
    allocate_seats: AllocateSeatsPayload = strawberry.mutation(resolver=billing.allocate_seats)
    create_booking_page: CreateBookingPagePayload = strawberry.mutation(
        resolver=booking.create_booking_page
    )
    set_booking_page_enabled: SetBookingPageEnabledPayload = strawberry.mutation(
        resolver=booking.set_booking_page_enabled
    )
    transfer_booking_page: TransferBookingPagePayload = strawberry.mutation(
        resolver=booking.transfer_booking_page
    )
    mark_notifications_read: MarkNotificationsReadPayload = strawberry.mutation(
        resolver=notices.mark_notifications_read
    )
    create_delivery_channel: CreateDeliveryChannelPayload = strawberry.mutation(
        resolver=notices.create_delivery_channel
    )
    delete_delivery_channel: DeleteDeliveryChannelPayload = strawberry.mutation(
        resolver=notices.delete_delivery_channel
    )
    redeliver: RedeliverPayload = strawberry.mutation(resolver=notices.redeliver)
