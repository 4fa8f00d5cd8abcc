/*
 * virtio-scan: every virtio function on PCI bus 0, in slot order, with its
 * capabilities walked and its BARs in place (virtio-v1.2 4.1.2, 4.1.4).
 * One "VIRTIO <bus:slot.fn> <type> ..." line per function, then the
 * verdict. With guest.virtio=<type>,<type>,... the types found must be
 * exactly that list, in that order (names: net, block, console, rng, ...,
 * or type<n> for the others).
 */
#include "lib.h"
#include "test.h"
#include "virtio.h"

static int type_str(char *buf, size_t n, u16 type)
{
	const char *name = virtio_type_name(type);
	return name ? snformat(buf, n, "%s", name) : snformat(buf, n, "type%u", type);
}

static void run_virtio_scan(void)
{
	struct vdev *devs;
	unsigned n = virtio_scan(&devs);
	char found[400];
	size_t used = 0;
	found[0] = 0;
	const struct vdev *bad = NULL;
	for (unsigned i = 0; i < n; i++) {
		const struct vdev *d = &devs[i];
		char name[16];
		type_str(name, sizeof(name), d->type);
		if (used < sizeof(found))
			used += (size_t)snformat(found + used, sizeof(found) - used, "%s%s", i ? "," : "", name);
		if (d->error) {
			printk("VIRTIO 00:%02x.%u %s device 0x%x: unusable: %s\n", d->slot, d->fn, name, d->pci_device,
			       d->error);
			if (!bad)
				bad = d;
			continue;
		}
		printk("VIRTIO 00:%02x.%u %s device 0x%x common %s0x%lx notify %s0x%lx*%u%s%s%s msix %u\n", d->slot,
		       d->fn, name, d->pci_device, d->common.io ? "io " : "", d->common.base, d->notify.io ? "io " : "",
		       d->notify.base, d->notify_mult, d->isr.present ? " isr" : "", d->devcfg.present ? " devcfg" : "",
		       d->pci_cfg_cap ? " pcicfg" : "", d->msix_cap ? d->msix_size : 0);
	}
	if (bad)
		return fail("00:%02x.%u (virtio type %u): %s", bad->slot, bad->fn, bad->type, bad->error);

	size_t wlen;
	const char *want = cmdline_param("guest.virtio", &wlen);
	if (!want)
		return ok("%u device%s: %s (no guest.virtio= to compare with)", n, n == 1 ? "" : "s",
			  n ? found : "none");
	if (wlen != strlen(found) || strncmp(want, found, wlen))
		return fail("found \"%s\", expected \"%.*s\"", found, (int)wlen, want);
	ok("%u device%s: %s", n, n == 1 ? "" : "s", n ? found : "none");
}
GUEST_TEST_AS(82, virtio_scan, "virtio-scan", run_virtio_scan, 0);
