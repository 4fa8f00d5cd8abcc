/* virtio-blk's wire format (virtio-v1.2 5.2), shared by the block test and
 * the benchmark. */
#ifndef VIRTIO_BLK_H
#define VIRTIO_BLK_H
#include "types.h"

/* 5.2.3 feature bits */
#define VIRTIO_BLK_F_SIZE_MAX	1
#define VIRTIO_BLK_F_SEG_MAX	2
#define VIRTIO_BLK_F_RO		5
#define VIRTIO_BLK_F_BLK_SIZE	6
#define VIRTIO_BLK_F_FLUSH	9

/* 5.2.4 struct virtio_blk_config offsets */
#define VBLK_CFG_CAPACITY	0
#define VBLK_CFG_SIZE_MAX	8
#define VBLK_CFG_SEG_MAX	12
#define VBLK_CFG_BLK_SIZE	20

/* 5.2.6 requests: header, data, one status byte. */
struct virtio_blk_req {
	u32 type;
	u32 reserved;
	u64 sector;	/* always in 512-byte units */
};
#define VIRTIO_BLK_T_IN		0
#define VIRTIO_BLK_T_OUT	1
#define VIRTIO_BLK_T_FLUSH	4
#define VIRTIO_BLK_T_GET_ID	8
#define VIRTIO_BLK_ID_BYTES	20
#define VIRTIO_BLK_S_OK		0
#define VIRTIO_BLK_S_IOERR	1
#define VIRTIO_BLK_S_UNSUPP	2
#define VIRTIO_BLK_STATUS_POISON 0xEE	/* what we put there before a request */

#endif
