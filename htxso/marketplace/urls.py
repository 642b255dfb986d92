from django.urls import path

from . import b2b, seller_views, staff_views, views, webhooks

app_name = "marketplace"

urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("p/<int:pk>/", views.product, name="product"),
    path("p/<int:pk>/photo.jpg", views.photo, name="photo"),
    path("s/<int:pk>/", views.seller, name="seller"),
    path("cart/", views.cart, name="cart"),
    path("checkout/", views.checkout, name="checkout"),
    path("orders/", views.orders, name="orders"),
    path("orders/<int:pk>/", views.order, name="order"),
    path("orders/<int:pk>/step/<slug:action>/", views.step, name="step"),
    path("orders/<int:pk>/paid/", views.paid, name="paid"),
    path("vietqr/", views.read_vietqr, name="vietqr"),
    path("signup/", views.signup, name="signup"),
    path("webhooks/bank/", webhooks.bank_webhook, name="bank-webhook"),
    path("requests/", b2b.board, name="requests"),
    path("requests/<int:pk>/", b2b.detail, name="request"),
    path("requests/<int:pk>/offer/", b2b.offer, name="offer"),
    path("seller/", seller_views.board, name="board"),
    path("seller/products/new/", seller_views.product_new, name="product-new"),
    path("seller/products/<int:pk>/", seller_views.product_edit, name="product-edit"),
    path("seller/products/<int:pk>/stock/", seller_views.stock, name="stock"),
    path("seller/shop/", seller_views.shop, name="shop"),
    path("seller/report.xlsx", seller_views.report, name="report"),
    path("seller/staff/", staff_views.staff, name="staff"),
    path("seller/staff/<int:pk>/revoke/", staff_views.revoke, name="staff-revoke"),
    path("seller/invitations/<int:pk>/cancel/", staff_views.cancel, name="invitation-cancel"),
    path("staff/accept/<str:token>/", staff_views.accept, name="staff-accept"),
]
