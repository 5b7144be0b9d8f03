/**
 * Where S3-destination flow-log files are delivered: the key is the bucket and object key
 * (`bucket/folder/AWSLogs/…`), the text the file's content before compression.
 */
export interface FlowLogSink {
  write(key: string, text: string): Promise<void>
}
