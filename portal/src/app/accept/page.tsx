'use client'
/** /portal/accept/#token=…: an invitation link. */
import { ChoosePassword } from '../../components/ChoosePassword'

export default function AcceptPage() {
  return <ChoosePassword kind="invitation" />
}
