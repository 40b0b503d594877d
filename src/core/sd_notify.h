/* Tells systemd (Type=notify) how the service is doing, without linking
 * libsystemd: the protocol is one datagram to $NOTIFY_SOCKET. */
#ifndef SLUICE_SD_NOTIFY_H
#define SLUICE_SD_NOTIFY_H

/* Sends `state` (e.g. "READY=1"); does nothing when not run by systemd. */
void sd_notify_state(const char *state);

#endif
